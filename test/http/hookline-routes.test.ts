/**
 * The additive endpoints (spec 12.4, 13): the task list with filters and cursor paging, the delivery log,
 * redelivery, deleting a task with its files, deleting an uploaded file.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { expectServing, settledWav, uploadTrack } from "./support.js";

describe("hookline extras", () => {
  let h: TestHookline;
  let dir: TmpDir;
  let receiver: Receiver;
  const tracks: Awaited<ReturnType<typeof uploadTrack>>[] = [];
  let withCallback: string;
  let pollOnly: string;

  beforeAll(async () => {
    h = await startTestHookline();
    dir = await tmpDir("extras");
    receiver = await startReceiver((_req, res) => res.end("ok"));
    const mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
    for (let i = 0; i < 3; i++) tracks.push(await uploadTrack(h, mp3));
    const a = await h.call("/api/v1/wav/generate", {
      json: { audioId: tracks[0]!.audioId, callBackUrl: `${receiver.origin}/cb` },
    });
    const b = await h.call("/api/v1/wav/generate", { json: { audioId: tracks[1]!.audioId } });
    withCallback = a.data.taskId;
    pollOnly = b.data.taskId;
    expect((await settledWav(h, withCallback)).data.status).toBe("SUCCESS");
    expect((await settledWav(h, pollOnly)).data.status).toBe("SUCCESS");
    await waitFor("the callback", () => receiver.requests.length === 1);
  });
  afterAll(async () => {
    await receiver.close();
    await h.stop();
    await dir.cleanup();
  });

  it("lists the key's tasks newest first, filtered by family and status", async () => {
    const all = await h.call("/api/v1/hookline/tasks");
    expect(all.code).toBe(200);
    expect(all.data.tasks).toHaveLength(5);
    expect(all.data.nextCursor).toBeNull();
    const times = all.data.tasks.map((t: { createTime: string }) => Date.parse(t.createTime));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    const wav = await h.call("/api/v1/hookline/tasks?family=wav");
    expect(wav.data.tasks.map((t: { taskId: string }) => t.taskId).sort()).toEqual(
      [withCallback, pollOnly].sort(),
    );
    expect(wav.data.tasks[0]).toMatchObject({ family: "wav", status: "SUCCESS", errorCode: null });
    const music = await h.call("/api/v1/hookline/tasks?family=music&status=SUCCESS");
    expect(music.data.tasks).toHaveLength(3);
    const none = await h.call("/api/v1/hookline/tasks?status=GENERATE_WAV_FAILED");
    expect(none.data.tasks).toEqual([]);
  });

  it("pages with a cursor, without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = await h.call(`/api/v1/hookline/tasks?limit=2${q}`);
      expect(page.code).toBe(200);
      expect(page.data.tasks.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.tasks.map((t: { taskId: string }) => t.taskId));
      cursor = page.data.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
    const bad = await h.call("/api/v1/hookline/tasks?limit=lots");
    expect(bad.code).toBe(400);
    await expectServing(h);
  });

  it("shows the delivery log: one message, one delivered attempt", async () => {
    const env = await h.call(`/api/v1/hookline/tasks/${withCallback}/deliveries`);
    expect(env.code).toBe(200);
    expect(env.data.messages).toHaveLength(1);
    const msg = env.data.messages[0];
    expect(msg).toMatchObject({ url: `${receiver.origin}/cb`, state: "delivered", attempts: 1 });
    expect(msg.messageId).toMatch(/^msg_[a-z0-9]{26}$/i);
    expect(env.data.attempts).toHaveLength(1);
    expect(env.data.attempts[0]).toMatchObject({ messageId: msg.messageId, statusCode: 200, number: 1 });
    expect(receiver.requests[0]!.headers["webhook-id"]).toBe(msg.messageId);
    const quiet = await h.call(`/api/v1/hookline/tasks/${pollOnly}/deliveries`);
    expect(quiet.data).toMatchObject({ messages: [], attempts: [] });
  });

  it("redelivers with the same message id; a task without callback answers 400", async () => {
    const env = await h.call(`/api/v1/hookline/tasks/${withCallback}/redeliver`, { method: "POST" });
    expect(env.code).toBe(200);
    await waitFor("the redelivery", () => receiver.requests.length === 2);
    const [first, second] = receiver.requests;
    expect(second!.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
    expect(env.data.messageId).toBe(first!.headers["webhook-id"]);
    expect(JSON.parse(second!.body)).toEqual(JSON.parse(first!.body));
    const none = await h.call(`/api/v1/hookline/tasks/${pollOnly}/redeliver`, { method: "POST" });
    expect(none.code).toBe(400);
    await expectServing(h);
  });

  it("deletes a task and its files: the WAV URL answers 404, the record 404", async () => {
    const rec = await h.call(`/api/v1/wav/record-info?taskId=${pollOnly}`);
    const url = rec.data.response.audioWavUrl as string;
    expect((await fetch(url, { method: "HEAD" })).status).toBe(200);
    const del = await h.call(`/api/v1/hookline/tasks/${pollOnly}`, { method: "DELETE" });
    expect(del).toMatchObject({ code: 200, data: { taskId: pollOnly, deleted: true, filesDeleted: 1 } });
    const gone = await fetch(url);
    expect(gone.status).toBe(404);
    await gone.arrayBuffer();
    expect((await h.call(`/api/v1/wav/record-info?taskId=${pollOnly}`)).code).toBe(404);
    expect((await h.call(`/api/v1/hookline/tasks/${pollOnly}`, { method: "DELETE" })).code).toBe(404);
  });

  it("deletes an uploaded file by its path: its URL answers 404, a second delete 404", async () => {
    const t = tracks[2]!;
    const del = await h.call(`/api/v1/hookline/files/${t.filePath}`, { method: "DELETE" });
    expect(del).toMatchObject({ code: 200, data: { filePath: t.filePath, deleted: true } });
    const gone = await fetch(t.downloadUrl);
    expect(gone.status).toBe(404);
    await gone.arrayBuffer();
    expect((await h.call(`/api/v1/hookline/files/${t.filePath}`, { method: "DELETE" })).code).toBe(404);
    // The other uploads are untouched.
    const kept = await fetch(tracks[0]!.downloadUrl, { method: "HEAD" });
    expect(kept.status).toBe(200);
    await expectServing(h);
  });
});
