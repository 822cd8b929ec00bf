/**
 * Every SDK function against a real server (in-process Hookline on real HTTP, real SQLite, real ffmpeg): uploads
 * in all their forms, source tracks, WAV, credits, download links, files, the task extras and `waitForTask`.
 * Cover and voice methods are exercised in `families.test.ts` once those families are served.
 */
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HooklineApiError, HooklineClient, isHooklineApiError } from "../../src/client/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";

describe("HooklineClient against a real server", () => {
  let h: TestHookline;
  let dir: TmpDir;
  let mp3: string;
  let client: HooklineClient;
  let fileServer: Server;
  let fileOrigin: string;
  let receiver: Receiver;
  const fetched: string[] = [];

  beforeAll(async () => {
    h = await startTestHookline();
    dir = await tmpDir("sdk-client");
    mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
    // The injected fetch records every URL the client calls.
    client = new HooklineClient({
      baseUrl: h.url,
      apiKey: h.apiKey,
      fetch: (input, init) => {
        fetched.push(String(input));
        return fetch(input, init);
      },
    });
    fileServer = createServer(async (_req, res) => res.end(await readFile(mp3)));
    await new Promise<void>((r) => fileServer.listen(0, "127.0.0.1", r));
    fileOrigin = `http://127.0.0.1:${(fileServer.address() as { port: number }).port}`;
    receiver = await startReceiver((_req, res) => res.end("ok"));
  });
  afterAll(async () => {
    await new Promise((r) => fileServer.close(r));
    await receiver.close();
    await h.stop();
    await dir.cleanup();
  });

  it("uploads by stream from a path, a Node stream, a buffer and a Blob; by base64; by URL", async () => {
    const size = (await stat(mp3)).size;
    const bytes = await readFile(mp3);
    const answers = [
      await client.uploads.stream({ path: mp3 }, { uploadPath: "sdk" }),
      await client.uploads.stream({ stream: createReadStream(mp3) }, { uploadPath: "sdk", name: "s.mp3" }),
      await client.uploads.stream({ buffer: bytes }, { uploadPath: "sdk", fileName: "b.mp3" }),
      await client.uploads.stream({ blob: new Blob([bytes]) }, { uploadPath: "sdk" }),
      await client.uploads.fromBase64({ base64Data: bytes, uploadPath: "sdk", fileName: "64.mp3" }),
      await client.uploads.fromBase64({ base64Data: bytes.toString("base64"), uploadPath: "sdk" }),
      await client.uploads.fromUrl({ fileUrl: `${fileOrigin}/u.mp3`, uploadPath: "sdk" }),
    ];
    for (const up of answers) {
      expect(up.fileSize).toBe(size);
      expect(up.mimeType).toMatch(/audio/);
      expect(up.audioId).toMatch(/^[0-9a-f-]{36}$/);
      expect(up.taskId).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(answers[2]?.filePath).toBe("sdk/b.mp3");
    expect(fetched.every((u) => u.startsWith(h.url))).toBe(true);
  });

  it("registers tracks, reads the music record, and downloads a file URL", async () => {
    const up = await client.uploads.stream({ path: mp3 }, { uploadPath: "sdk", fileName: "t.mp3" });
    const track = await client.tracks.register({ filePath: up.filePath, title: "Mine" });
    expect(track.audioId).not.toBe(up.audioId);
    const music = await client.music.recordInfo(track.taskId);
    expect(music.response.sunoData[0]).toMatchObject({ id: track.audioId, title: "Mine" });
    expect(await client.waitForTask("music", track.taskId)).toMatchObject({ status: "SUCCESS" });
    const remote = await client.tracks.register({ fileUrl: `${fileOrigin}/r.mp3` });
    expect(remote.audioId).toBeTypeOf("string");
    const info = await client.files.info(up.downloadUrl);
    expect(info).toMatchObject({ bytes: up.fileSize, fileName: "t.mp3" });
    const out = join(dir.path, "copy.mp3");
    expect((await client.files.download(up.downloadUrl, out)).bytes).toBe(up.fileSize);
    expect(await readFile(out)).toEqual(await readFile(mp3));
    const link = await client.downloadUrl(up.downloadUrl);
    expect(link).toMatch(/signature=/);
    await client.files.delete(up.filePath);
    const gone = await client.files.download(up.downloadUrl, join(dir.path, "gone.mp3")).catch((e) => e);
    expect(isHooklineApiError(gone, "not_found")).toBe(true);
  });

  it("converts to WAV, waits with backoff, and types the duplicate as a conflict with the existing task", async () => {
    const up = await client.uploads.stream({ path: mp3 }, { uploadPath: "sdk" });
    const { taskId } = await client.wav.generate({
      audioId: up.audioId!,
      taskId: up.taskId!,
      callBackUrl: `${receiver.origin}/cb`,
    });
    const polls: unknown[] = [];
    const record = await client.waitForTask("wav", taskId, {
      intervalMs: 50,
      timeoutMs: 30_000,
      onPoll: (r) => polls.push(r),
    });
    expect(record.status).toBe("SUCCESS");
    expect(polls.length).toBeGreaterThanOrEqual(1);
    const wavPath = join(dir.path, "out.wav");
    await client.files.download(record.response!.audioWavUrl!, wavPath);
    expect((await readFile(wavPath)).toString("ascii", 0, 4)).toBe("RIFF");
    const dup = await client.wav.generate({ audioId: up.audioId! }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(HooklineApiError);
    expect(dup).toMatchObject({ kind: "conflict", code: 409, existingTaskId: taskId });
    expect(await client.wav.recordInfo(taskId)).toMatchObject({ taskId, musicId: up.audioId });
  });

  it("lists, pages and iterates tasks; reads deliveries; redelivers; deletes", async () => {
    const page = await client.tasks.list({ family: "wav", limit: 1 });
    expect(page.tasks).toHaveLength(1);
    const all = [];
    for await (const t of client.tasks.all({ pageSize: 2 })) all.push(t);
    expect(all.length).toBeGreaterThan(2);
    const wav = page.tasks[0]!;
    const log = await waitFor("the callback delivered", async () => {
      const l = await client.tasks.deliveries(wav.taskId);
      return l.messages[0]?.state === "delivered" ? l : undefined;
    });
    expect(log.attempts[0]).toMatchObject({ statusCode: 200, outcome: "delivered" });
    const again = await client.tasks.redeliver(wav.taskId);
    expect(again.messageId).toBe(log.messages[0]?.messageId);
    expect(await client.tasks.delete(wav.taskId)).toMatchObject({ deleted: true });
    await expect(client.wav.recordInfo(wav.taskId)).rejects.toMatchObject({ kind: "not_found", code: 404 });
  });

  it("reads credits on both paths, health and readiness", async () => {
    expect(await client.credits()).toBe(999_999_999);
    expect(await client.credits({ path: "chat" })).toBe(999_999_999);
    expect(await client.health()).toBe(true);
    expect(await client.ready()).toMatchObject({ ready: true, status: "ready" });
  });

  it("types errors: bad key, bad input, unreachable server, abort", async () => {
    const bad = new HooklineClient({ baseUrl: h.url, apiKey: "hk_nope" });
    await expect(bad.credits()).rejects.toMatchObject({ kind: "unauthorized", code: 401 });
    await expect(client.downloadUrl("https://elsewhere.example/x")).rejects.toMatchObject({
      kind: "bad_request",
      code: 400,
    });
    const down = new HooklineClient({ baseUrl: "http://127.0.0.1:9", apiKey: "x" });
    await expect(down.credits()).rejects.toMatchObject({ kind: "network", code: 0 });
    await expect(client.credits({ signal: AbortSignal.abort() })).rejects.toMatchObject({ kind: "aborted" });
    await expect(
      client.uploads.stream({ path: join(dir.path, "missing.mp3") }, { uploadPath: "x" }),
    ).rejects.toMatchObject({
      code: "ENOENT",
    });
  });

  it("sends extra headers and the key to its server only, never to a file URL's origin", async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const c = new HooklineClient({
      baseUrl: h.url,
      apiKey: h.apiKey,
      headers: { "x-trace": "t1" },
      fetch: (input, init) => {
        seen.push({ url: String(input), headers: init?.headers as Record<string, string> });
        return fetch(input, init);
      },
    });
    const up = await c.uploads.fromBase64(
      { base64Data: Buffer.from("plain text"), uploadPath: "h", fileName: "a.txt" },
      { headers: { "x-call": "c1" } },
    );
    expect(seen[0]?.headers).toMatchObject({
      "x-trace": "t1",
      "x-call": "c1",
      authorization: `Bearer ${h.apiKey}`,
    });
    const file = new URL(up.downloadUrl);
    const other = `${fileOrigin}${file.pathname}${file.search}`;
    await c.files.info(other).catch(() => undefined);
    expect(seen[1]?.url.startsWith(fileOrigin)).toBe(true);
    expect(seen[1]?.headers).toEqual({ accept: "application/json" });
  });

  it("waitForTask stops when its signal aborts, and on timeout", async () => {
    // A task that stays PENDING: the runner of a second server is off.
    const idle = await startTestHookline({ roles: { api: true, runner: false, sender: false } });
    try {
      const c = new HooklineClient({ baseUrl: idle.url, apiKey: idle.apiKey });
      const up = await c.uploads.stream({ path: mp3 }, { uploadPath: "sdk" });
      const { taskId } = await c.wav.generate({ audioId: up.audioId! });
      const controller = new AbortController();
      const waiting = c.waitForTask("wav", taskId, { signal: controller.signal, intervalMs: 20 });
      setTimeout(() => controller.abort(), 100);
      await expect(waiting).rejects.toMatchObject({ kind: "aborted" });
      await expect(c.waitForTask("wav", taskId, { timeoutMs: 150, intervalMs: 20 })).rejects.toMatchObject({
        kind: "timeout",
      });
    } finally {
      await idle.stop();
    }
  });
});
