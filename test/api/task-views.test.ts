/**
 * The console's task views through the real server (issue 12): the list's callback state, source and update time,
 * its filters (callback state, search by task id or audio id) and the refusal of unknown values; a task's details
 * with its request, result, timeline, files and family record; another key sees none of it. On SQLite, a key with
 * 100,000 tasks: a page deep in the list and filtered pages (their times are printed, not asserted).
 */

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HooklineClient } from "../../src/client/index.js";
import { insertTask } from "../../src/tasks/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import type { Envelope, TestHookline } from "../helpers/hookline.js";
import { startTestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { settledWav, streamUpload } from "../http/support.js";

type Track = { taskId: string; audioId: string };

describe.each(dialects())("task views on %s", (dialect) => {
  let db: TestDb;
  let h: TestHookline;
  let dir: TmpDir;
  const receivers: Record<string, Receiver> = {};
  const tracks: Track[] = [];
  const wavs: Record<string, string> = {};
  let coverId = "";
  const list = async (query: string, key?: string) => {
    const res = await h.call(`/api/v1/hookline/tasks?${query}`, key === undefined ? {} : { key });
    expect(res.code, JSON.stringify(res)).toBe(200);
    return res.data.tasks as { taskId: string; [field: string]: unknown }[];
  };
  const ids = async (query: string, key?: string) => (await list(query, key)).map((t) => t.taskId).sort();

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    // One retry a minute away: a failing receiver leaves its message waiting (retrying) for the test's length.
    // A callback timeout longer than the test: the hanging receiver's attempt stays unrecorded until it closes.
    h = await startTestHookline({
      database: db.target,
      env: { HOOKLINE_RETRY_SCHEDULE: "60", HOOKLINE_CALLBACK_TIMEOUT: "300" },
    });
    dir = await tmpDir("task-views");
    receivers.ok = await startReceiver((_req, res) => res.end("ok"));
    receivers.gone = await startReceiver((_req, res) => res.writeHead(410).end());
    receivers.failing = await startReceiver((_req, res) => res.writeHead(500).end());
    // Never answers: its message stays in its first attempt (pending) until the receiver closes.
    receivers.hanging = await startReceiver(() => undefined);
    const mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
    for (const name of ["ok", "gone", "failing", "hanging"]) {
      const up = await streamUpload(h, mp3, { fileName: `${name}-song.mp3` });
      expect(up.code, JSON.stringify(up)).toBe(200);
      tracks.push(up.data);
      const gen = await h.call("/api/v1/wav/generate", {
        json: { audioId: up.data.audioId, callBackUrl: `${receivers[name]!.origin}/cb` },
      });
      expect(gen.code, JSON.stringify(gen)).toBe(200);
      wavs[name] = gen.data.taskId;
    }
    const cover = await h.call("/api/v1/suno/cover/generate", { json: { taskId: tracks[0]!.taskId } });
    expect(cover.code, JSON.stringify(cover)).toBe(200);
    coverId = cover.data.taskId;
    for (const id of Object.values(wavs)) await settledWav(h, id);
    await waitFor("the callbacks to settle", async () => {
      const states = Object.fromEntries((await list("family=wav")).map((t) => [t.taskId, t.callbackState]));
      return (
        states[wavs.ok!] === "delivered" &&
        states[wavs.gone!] === "failed" &&
        states[wavs.failing!] === "retrying" &&
        receivers.hanging!.requests.length + receivers.hanging!.connections > 0
      );
    });
    await waitFor("the cover", async () => {
      const rec = await h.call(`/api/v1/suno/cover/record-info?taskId=${coverId}`);
      return rec.data.status !== "PENDING";
    });
  }, 60_000);
  afterAll(async () => {
    for (const r of Object.values(receivers)) await r.close();
    await h.stop();
    await db.drop();
    await dir.cleanup();
  });

  it("lists each task with its callback state, source and update time", async () => {
    const tasks = await list("limit=100");
    expect(tasks).toHaveLength(9);
    const byId = new Map(tasks.map((t) => [t.taskId, t]));
    expect(byId.get(wavs.ok!)).toMatchObject({
      family: "wav",
      status: "SUCCESS",
      callbackState: "delivered",
      source: "ok-song.mp3",
      callbackUrl: `${receivers.ok!.origin}/cb`,
    });
    expect(byId.get(wavs.hanging!)).toMatchObject({ callbackState: "pending", source: "hanging-song.mp3" });
    expect(byId.get(tracks[1]!.taskId)).toMatchObject({
      family: "music",
      callbackState: "none",
      source: "gone-song.mp3",
    });
    expect(byId.get(coverId)).toMatchObject({
      family: "cover",
      callbackState: "none",
      source: "ok-song.mp3",
    });
    for (const t of tasks) {
      expect(Date.parse(String(t.updateTime))).toBeGreaterThanOrEqual(Date.parse(String(t.createTime)));
    }
  });

  it("filters by callback state", async () => {
    expect(await ids("callback=delivered")).toEqual([wavs.ok]);
    expect(await ids("callback=failed")).toEqual([wavs.gone]);
    expect(await ids("callback=retrying")).toEqual([wavs.failing]);
    expect(await ids("callback=pending")).toEqual([wavs.hanging]);
    expect(await ids("callback=none")).toEqual([...tracks.map((t) => t.taskId), coverId].sort());
    expect(await ids("callback=delivered&family=cover")).toEqual([]);
  });

  it("refuses unknown family, status and callback values, naming the allowed ones", async () => {
    const family = await h.call("/api/v1/hookline/tasks?family=nope");
    expect(family.code).toBe(400);
    expect(family.msg).toContain("wav, cover, voice, music");
    const status = await h.call("/api/v1/hookline/tasks?status=NOPE");
    expect(status.code).toBe(400);
    expect(status.msg).toContain("GENERATE_WAV_FAILED");
    expect(status.msg).toContain("wait_validating");
    const callback = await h.call("/api/v1/hookline/tasks?callback=sent");
    expect(callback.code).toBe(400);
    expect(callback.msg).toContain("none, pending, retrying, delivered, failed");
    // A status of another family than the one asked for is known: it simply matches nothing.
    expect(await ids("family=wav&status=wait_validating")).toEqual([]);
    expect(await ids("status=GENERATE_COVER_FAILED")).toEqual([]);
  });

  it("searches by task id and by audio id", async () => {
    expect(await ids(`q=${wavs.failing}`)).toEqual([wavs.failing]);
    expect(await ids(`q=${tracks[0]!.audioId}`)).toEqual([tracks[0]!.taskId, wavs.ok!, coverId].sort());
    expect(await ids(`q=${tracks[2]!.audioId}&family=wav`)).toEqual([wavs.failing]);
    expect(await ids("q=0123456789abcdef0123456789abcdef")).toEqual([]);
  });

  it("shows a task in full: request, result, timeline, files and its family's record", async () => {
    const res = await h.call(`/api/v1/hookline/tasks/${wavs.ok}`);
    expect(res.code, JSON.stringify(res)).toBe(200);
    const d = res.data;
    expect(d).toMatchObject({
      taskId: wavs.ok,
      family: "wav",
      status: "SUCCESS",
      callbackState: "delivered",
      source: "ok-song.mp3",
      request: { audioId: tracks[0]!.audioId, musicTaskId: tracks[0]!.taskId },
      errorCode: null,
      runs: 1,
    });
    expect(d.result.fileId).toBeTypeOf("string");
    const events = d.timeline.map((e: { event: string }) => e.event);
    expect(events).toEqual(["submitted", "started", "finished", "callback"]);
    expect(d.timeline[3].detail).toContain("HTTP 200");
    for (const e of d.timeline) expect(new Date(e.time).toISOString()).toBe(e.time);
    const kinds = d.files.map((f: { kind: string }) => f.kind).sort();
    expect(kinds).toEqual(["source", "wav"]);
    const wavUrl = d.files.find((f: { kind: string }) => f.kind === "wav").url;
    expect(d.record.response.audioWavUrl).toBe(wavUrl);
    expect(d.record.musicId).toBe(tracks[0]!.audioId);
    const wav = await fetch(wavUrl);
    expect(wav.status).toBe(200);
    expect((await wav.arrayBuffer()).byteLength).toBeGreaterThan(44);
    const source = await fetch(d.files.find((f: { kind: string }) => f.kind === "source").url);
    expect(source.status).toBe(200);
    await source.arrayBuffer();

    const cover = (await h.call(`/api/v1/hookline/tasks/${coverId}`)).data;
    expect(cover.files.filter((f: { kind: string }) => f.kind === "image")).toHaveLength(2);
    expect(cover.record.response.images).toEqual(
      cover.files.filter((f: { kind: string }) => f.kind === "image").map((f: { url: string }) => f.url),
    );
    const gone = (await h.call(`/api/v1/hookline/tasks/${wavs.gone}`)).data;
    expect(gone.callbackState).toBe("failed");
    expect(gone.timeline.at(-1).detail).toContain("HTTP 410");
    const music = (await h.call(`/api/v1/hookline/tasks/${tracks[1]!.taskId}`)).data;
    expect(music).toMatchObject({ family: "music", result: null, record: { type: "UPLOAD" } });
    expect(music.timeline.map((e: { event: string }) => e.event)).toEqual(["submitted", "finished"]);
  });

  it("is read by the SDK: tasks.list with the new filters, tasks.get, receivers.list", async () => {
    const client = new HooklineClient({ baseUrl: h.url, apiKey: h.apiKey });
    const page = await client.tasks.list({ callback: "delivered", q: tracks[0]!.audioId });
    expect(page.tasks.map((t) => [t.taskId, t.callbackState, t.source])).toEqual([
      [wavs.ok, "delivered", "ok-song.mp3"],
    ]);
    const all: string[] = [];
    for await (const t of client.tasks.all({ callback: "failed", pageSize: 1 })) all.push(t.taskId);
    expect(all).toEqual([wavs.gone]);
    const task = await client.tasks.get(wavs.ok!);
    expect(task.timeline.map((e) => e.event)).toContain("callback");
    expect(task.files.map((f) => f.kind).sort()).toEqual(["source", "wav"]);
    const { receivers: seen } = await client.receivers.list();
    expect(seen.map((r) => r.url).sort()).toEqual(
      ["ok", "gone", "failing"].map((n) => `${receivers[n]!.origin}/cb`).sort(),
    );
    await expect(client.tasks.list({ family: "nope" })).rejects.toMatchObject({ kind: "bad_request" });
  });

  it("filters by one status vocabulary across families: pending, succeeded, failed", async () => {
    const all = await list("limit=100");
    const succeeded = all.filter((t) => t.status === "SUCCESS" || t.status === "success");
    expect(succeeded.length).toBeGreaterThanOrEqual(8);
    expect(await ids("status=succeeded&limit=100")).toEqual(succeeded.map((t) => t.taskId).sort());
    // The WAV whose receiver answered 410 was converted, but its callback failed: CALLBACK_EXCEPTION, a failure.
    expect(all.find((t) => t.taskId === wavs.gone)?.status).toBe("CALLBACK_EXCEPTION");
    expect(await ids("status=failed")).toEqual([wavs.gone]);
    // A WAV that fails (simulated) and a cover that fails: one word finds both, whatever each family calls it.
    const up = await streamUpload(h, await makeAudio(dir.path, { format: "mp3", seconds: 1 }), {
      fileName: "failing-twice.mp3",
    });
    const wav = await h.call("/api/v1/wav/generate", {
      json: { audioId: up.data.audioId },
      headers: { "Hookline-Simulate": "fail=501" },
    });
    const cover = await h.call("/api/v1/suno/cover/generate", {
      json: { taskId: up.data.taskId },
      headers: { "Hookline-Simulate": "fail=500" },
    });
    expect([wav.code, cover.code], JSON.stringify([wav, cover])).toEqual([200, 200]);
    await waitFor("both to fail", async () => (await ids("status=failed")).length === 3);
    expect(await ids("status=failed")).toEqual([wavs.gone, wav.data.taskId, cover.data.taskId].sort());
    expect(await ids("status=failed&family=cover")).toEqual([cover.data.taskId]);
    expect(await ids("status=GENERATE_WAV_FAILED")).toEqual([wav.data.taskId]);
    expect(await ids("status=pending")).toEqual([]);
  });

  it("another key sees none of it", async () => {
    const other = await h.newKey("other");
    expect(await list("", other.apiKey)).toEqual([]);
    expect(await list(`q=${tracks[0]!.audioId}`, other.apiKey)).toEqual([]);
    expect(await list(`q=${wavs.ok}`, other.apiKey)).toEqual([]);
    const res: Envelope = await h.call(`/api/v1/hookline/tasks/${wavs.ok}`, { key: other.apiKey });
    expect(res.code).toBe(404);
  });
});

describe("a key with 100,000 tasks (SQLite)", () => {
  let h: TestHookline;
  const N = 100_000;
  const base = Date.now() - N;
  const idAt = (i: number) => `${i.toString(16).padStart(8, "0")}${randomBytes(12).toString("hex")}`;
  const made: string[] = [];
  let dir: TmpDir;
  let track: Track;

  beforeAll(async () => {
    h = await startTestHookline({ roles: { runner: false, sender: false } });
    dir = await tmpDir("task-views-scale");
    const up = await streamUpload(h, await makeAudio(dir.path, { format: "wav", seconds: 1 }));
    track = up.data;
    const { store } = h.running.services;
    const started = performance.now();
    await store.transact(async (trx) => {
      for (let i = 0; i < N; i++) {
        const id = idAt(i);
        made.push(id);
        const family = i % 3 === 0 ? "cover" : "wav";
        const status = i % 100 === 0 ? "GENERATE_WAV_FAILED" : "SUCCESS";
        // Every 1,000th is made from the uploaded track: what a search by its audio id finds.
        const parentId = i % 1000 === 7 ? track.taskId : `music_${i}`;
        const input = { audioId: `audio_${i}`, musicTaskId: parentId };
        const task = {
          id,
          ownerId: h.keyId,
          family,
          status,
          action: null,
          input,
          callbackUrl: null,
          parentId,
        };
        await insertTask(trx, task, base + i);
      }
    });
    console.log(`inserted ${N} tasks in ${Math.round(performance.now() - started)} ms`);
  }, 120_000);
  afterAll(async () => {
    await h.stop();
    await dir.cleanup();
  });

  const timed = async (what: string, query: string) => {
    const started = performance.now();
    const res = await h.call(`/api/v1/hookline/tasks?${query}`);
    console.log(`${what}: ${(performance.now() - started).toFixed(1)} ms`);
    expect(res.code, JSON.stringify(res)).toBe(200);
    return res.data as { tasks: { taskId: string; createTime: string }[]; nextCursor: string | null };
  };

  it("answers a page deep in the list by cursor, and filtered pages", async () => {
    const mid = N / 2;
    const deep = await timed("page at 50,000 by cursor", `limit=50&cursor=${base + mid}.${made[mid]}`);
    expect(deep.tasks.map((t) => t.taskId)).toEqual(made.slice(mid - 50, mid).reverse());
    expect(deep.nextCursor).toBe(`${base + mid - 50}.${made[mid - 50]}`);
    const deeper = await timed("the page after it", `limit=50&cursor=${deep.nextCursor}`);
    expect(deeper.tasks[0]!.taskId).toBe(made[mid - 51]);

    const failed = await timed(
      "status filter, deep",
      `status=GENERATE_WAV_FAILED&limit=20&cursor=${base + mid}.${made[mid]}`,
    );
    expect(failed.tasks.map((t) => t.taskId)).toEqual(
      Array.from({ length: 20 }, (_, k) => made[mid - 100 * (k + 1)]),
    );
    const covers = await timed("family filter", "family=cover&limit=50");
    expect(covers.tasks).toHaveLength(50);
    expect(covers.tasks[0]!.taskId).toBe(made[99_999]);
    const none = await timed("callback=none filter", "callback=none&limit=50");
    expect(none.tasks).toHaveLength(50);
    const delivered = await timed(
      "callback=delivered (no task matches: a full scan)",
      "callback=delivered&limit=50",
    );
    expect(delivered.tasks).toEqual([]);
    const byId = await timed("search by task id", `q=${made[12_345]}`);
    expect(byId.tasks.map((t) => t.taskId)).toEqual([made[12_345]]);
    const byAudio = await timed("search by audio id", `q=${track.audioId}&limit=500`);
    const fromTrack = made.filter((_, i) => i % 1000 === 7).reverse();
    expect(byAudio.tasks.map((t) => t.taskId)).toEqual([track.taskId, ...fromTrack]);
    const byAudioPage = await timed(
      "search by audio id, deep",
      `q=${track.audioId}&limit=10&cursor=${base + 50_007}.${made[50_007]}`,
    );
    expect(byAudioPage.tasks.map((t) => t.taskId)).toEqual(fromTrack.slice(50, 60));
  }, 60_000);
});
