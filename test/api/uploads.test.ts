/**
 * Uploads and source tracks through the real server (spec 7.1, 12.1, 13): URL, base64 (plain and data: URL) and
 * multipart stream; the music record of a track; POST /api/v1/hookline/tracks; overwriting; non-audio files.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, makeRandomBytes, type TmpDir, tmpDir } from "../helpers/audio.js";
import { type Envelope, startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { expectServing, settledWav, streamUpload } from "../http/support.js";

const TASK_ID = /^[0-9a-f]{32}$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const WIRE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

describe("uploads", () => {
  let h: TestHookline;
  let dir: TmpDir;
  let source: Receiver;
  let mp3: Buffer;
  let longer: Buffer;

  beforeAll(async () => {
    h = await startTestHookline();
    dir = await tmpDir("uploads");
    mp3 = await readFile(await makeAudio(dir.path, { format: "mp3", seconds: 1 }));
    longer = await readFile(await makeAudio(dir.path, { format: "mp3", seconds: 2 }));
    source = await startReceiver((req, res) => {
      res.setHeader("content-type", "audio/mpeg");
      res.end(req.url === "/longer.mp3" ? longer : mp3);
    });
  });
  afterAll(async () => {
    await source.close();
    await h.stop();
    await dir.cleanup();
  });

  /** Checks the documented response shape (spec 7.1 and 13) and that the URL serves `bytes`. */
  async function expectUploaded(env: Envelope, bytes: Buffer, uploadPath: string): Promise<void> {
    expect(env, JSON.stringify(env)).toMatchObject({ success: true, code: 200 });
    const d = env.data;
    expect(d.fileName).toMatch(/^[A-Za-z0-9_-]+\.mp3$/);
    expect(d.filePath).toBe(`${uploadPath}/${d.fileName}`);
    expect(d.fileUrl).toBe(d.downloadUrl);
    expect(Number.isInteger(d.fileSize)).toBe(true);
    expect(d.fileSize).toBe(bytes.length);
    expect(d.mimeType).toBe("audio/mpeg");
    expect(new Date(d.uploadedAt).toISOString()).toBe(d.uploadedAt);
    expect(d.taskId).toMatch(TASK_ID);
    expect(d.audioId).toMatch(UUID_V4);
    const res = await fetch(d.downloadUrl);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  }

  it("by URL", async () => {
    const env = await h.call("/api/file-url-upload", {
      json: { fileUrl: `${source.origin}/song.mp3`, uploadPath: "by-url" },
    });
    await expectUploaded(env, mp3, "by-url");
  });

  it("by base64, plain and as a data: URL", async () => {
    const plain = await h.call("/api/file-base64-upload", {
      json: { base64Data: mp3.toString("base64"), uploadPath: "b64" },
    });
    await expectUploaded(plain, mp3, "b64");
    const dataUrl = await h.call("/api/file-base64-upload", {
      json: { base64Data: `data:audio/mpeg;base64,${mp3.toString("base64")}`, uploadPath: "b64/nested" },
    });
    await expectUploaded(dataUrl, mp3, "b64/nested");
    const bad = await h.call("/api/file-base64-upload", { json: { base64Data: "%%%", uploadPath: "b64" } });
    expect(bad).toMatchObject({ success: false, code: 400 });
  });

  it("by multipart stream", async () => {
    await expectUploaded(await streamUpload(h, `${dir.path}/mp3-44100-2ch-1s.mp3`), mp3, "music");
    for (const uploadPath of ["/lead", "trail/", "a/../b"]) {
      const env = await streamUpload(h, `${dir.path}/mp3-44100-2ch-1s.mp3`, { uploadPath });
      expect(env, uploadPath).toMatchObject({ success: false, code: 400 });
    }
    await expectServing(h);
  });

  it("the music record of a track: sunoData[0] is the track, downloadable, duration measured", async () => {
    const up = await streamUpload(h, `${dir.path}/mp3-44100-2ch-2s.mp3`, { name: "My_Song.mp3" });
    const env = await h.call(`/api/v1/generate/record-info?taskId=${up.data.taskId}`);
    expect(env.code).toBe(200);
    const rec = env.data;
    expect(rec).toMatchObject({ taskId: up.data.taskId, status: "SUCCESS", type: "UPLOAD", errorCode: null });
    expect(JSON.parse(rec.param)).toBeTypeOf("object");
    expect(rec.response.taskId).toBe(up.data.taskId);
    expect(rec.response.sunoData).toHaveLength(1);
    const track = rec.response.sunoData[0];
    expect(track.id).toBe(up.data.audioId);
    expect(track.title).toBe("My Song");
    expect(track.createTime).toMatch(WIRE_TIME);
    expect(track.duration).toBeGreaterThan(1.9);
    expect(track.duration).toBeLessThan(2.2);
    const res = await fetch(track.audioUrl);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(longer)).toBe(true);
    expect((await h.call(`/api/v1/generate/record-info?task_id=${up.data.taskId}`)).code).toBe(200);
  });

  it("the same fileName twice overwrites the path; the first track keeps its audio", async () => {
    const first = await streamUpload(h, `${dir.path}/mp3-44100-2ch-1s.mp3`, { fileName: "same.mp3" });
    const second = await streamUpload(h, `${dir.path}/mp3-44100-2ch-2s.mp3`, { fileName: "same.mp3" });
    expect(first.data.filePath).toBe("music/same.mp3");
    expect(second.data.filePath).toBe("music/same.mp3");
    expect(second.data.audioId).not.toBe(first.data.audioId);
    const rec = await h.call(`/api/v1/generate/record-info?taskId=${first.data.taskId}`);
    const res = await fetch(rec.data.response.sunoData[0].audioUrl);
    expect(Buffer.from(await res.arrayBuffer()).equals(mp3)).toBe(true);
    const gen = await h.call("/api/v1/wav/generate", { json: { audioId: first.data.audioId } });
    const wav = await settledWav(h, gen.data.taskId);
    expect(wav.data.status).toBe("SUCCESS");
    // The path now names the second upload.
    const byPath = await h.call("/api/v1/hookline/tracks", { json: { filePath: "music/same.mp3" } });
    const again = await h.call(`/api/v1/generate/record-info?taskId=${byPath.data.taskId}`);
    expect(again.data.response.sunoData[0].duration).toBeGreaterThan(1.9);
  });

  it("POST /api/v1/hookline/tracks with filePath and with fileUrl", async () => {
    const up = await streamUpload(h, `${dir.path}/mp3-44100-2ch-1s.mp3`, { fileName: "t.mp3" });
    const byPath = await h.call("/api/v1/hookline/tracks", {
      json: { filePath: up.data.filePath, title: "Named" },
    });
    expect(byPath.code).toBe(200);
    expect(byPath.data.taskId).toMatch(TASK_ID);
    expect(byPath.data.audioId).toMatch(UUID_V4);
    expect(byPath.data.audioId).not.toBe(up.data.audioId);
    const rec = await h.call(`/api/v1/generate/record-info?taskId=${byPath.data.taskId}`);
    expect(rec.data.response.sunoData[0]).toMatchObject({ id: byPath.data.audioId, title: "Named" });
    const byUrl = await h.call("/api/v1/hookline/tracks", {
      json: { fileUrl: `${source.origin}/longer.mp3` },
    });
    expect(byUrl.code).toBe(200);
    expect(byUrl.data.audioId).toMatch(UUID_V4);
    const missing = await h.call("/api/v1/hookline/tracks", { json: { filePath: "music/nothing.mp3" } });
    expect(missing.code).toBe(404);
  });

  it("random bytes stay a plain file; registering them as a track is 400", async () => {
    const noise = await makeRandomBytes(dir.path, 50_000, "noise.bin");
    const up = await streamUpload(h, noise);
    expect(up).toMatchObject({ success: true, code: 200 });
    expect(up.data.fileName).toMatch(/\.bin$/);
    expect(up.data.mimeType).toBe("application/octet-stream");
    expect(up.data).not.toHaveProperty("taskId");
    expect(up.data).not.toHaveProperty("audioId");
    const track = await h.call("/api/v1/hookline/tracks", { json: { filePath: up.data.filePath } });
    expect(track.code).toBe(400);
    expect(track.msg).toMatch(/not audio/);
    const byUrl = await h.call("/api/v1/hookline/tracks", { json: { fileUrl: up.data.downloadUrl } });
    expect(byUrl.code).toBe(400);
    await expectServing(h);
  });
});
