/**
 * Covers through the real server in this process (spec 5, 11 #7 #8 #21, 13): field spellings, the record's
 * fields while pending and when done, the callback body, the images themselves (valid PNGs of the configured
 * size), duplicates (400 with the existing taskId), determinism after deleting a task, isolation, and bad input
 * (no taskId, a plain file, a corrupt track).
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRandomBytes, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { decodePng, lumaSpread } from "../helpers/png.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { makeSong } from "../helpers/songs.js";
import { waitFor } from "../helpers/wait.js";
import { expectServing, streamUpload, uploadTrack } from "../http/support.js";
import { settledCover } from "./cover-support.js";
import { corruptFlac } from "./wav-files.js";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SIZE = 320;

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^image\/png/);
  return Buffer.from(await res.arrayBuffer());
}

describe("cover generate and record-info", () => {
  let h: TestHookline;
  let dir: TmpDir;
  let receiver: Receiver;
  let song: string;
  const cb = () => `${receiver.origin}/cb`;
  const bodies = () => receiver.requests.map((r) => JSON.parse(r.body));

  beforeAll(async () => {
    h = await startTestHookline({ env: { HOOKLINE_COVER_SIZE: String(SIZE) } });
    dir = await tmpDir("cover");
    receiver = await startReceiver((_req, res) => res.end("ok"));
    song = await makeSong(dir.path, { name: "Blue Hour.mp3", seconds: 6, bpm: 112, chord: [57, 60, 64] });
  });
  afterAll(async () => {
    await receiver.close();
    await h.stop();
    await dir.cleanup();
  });

  it("makes two PNG covers: record fields, callback body, images of the configured size", async () => {
    const track = await uploadTrack(h, song);
    const gen = await h.call("/api/v1/suno/cover/generate", {
      json: { taskId: track.taskId, callBackUrl: cb() },
    });
    expect(gen).toMatchObject({ code: 200, msg: "success" });
    expect(gen.data.taskId).toMatch(/^[0-9a-f]{32}$/);
    const rec = await settledCover(h, gen.data.taskId);
    expect(rec.data).toMatchObject({
      taskId: gen.data.taskId,
      parentTaskId: track.taskId,
      callbackUrl: cb(),
      status: "SUCCESS",
      successFlag: 1,
      errorCode: 200,
      errorMessage: "",
    });
    expect(rec.data.createTime).toMatch(ISO);
    expect(rec.data.completeTime).toMatch(ISO);
    expect(rec.data.response.images).toHaveLength(2);
    await waitFor("the callback", () => bodies().some((b) => b.taskId === gen.data.taskId));
    const body = bodies().find((b) => b.taskId === gen.data.taskId);
    expect(body).toMatchObject({
      code: 200,
      msg: "success",
      data: { taskId: gen.data.taskId, task_id: gen.data.taskId },
    });
    expect(body.data.images).toHaveLength(2);
    for (const url of body.data.images as string[]) {
      const png = decodePng(await download(url));
      expect(png).toMatchObject({ width: SIZE, height: SIZE });
      expect(lumaSpread(png)).toBeGreaterThan(10);
    }
  });

  it("accepts task_id and every callback URL spelling", async () => {
    for (const spell of ["callbackUrl", "calBackUrl"]) {
      const track = await uploadTrack(h, song);
      const gen = await h.call("/api/v1/suno/cover/generate", {
        json: { task_id: track.taskId, [spell]: cb() },
      });
      expect(gen.code, JSON.stringify(gen)).toBe(200);
      expect((await settledCover(h, gen.data.taskId)).data).toMatchObject({
        status: "SUCCESS",
        callbackUrl: cb(),
      });
    }
  });

  it("a repeat while pending or after success: 400 with the existing taskId; after deletion a new task draws the same images", async () => {
    const track = await uploadTrack(h, song);
    const first = await h.call("/api/v1/suno/cover/generate", { json: { taskId: track.taskId } });
    const pending = await h.call("/api/v1/suno/cover/generate", { json: { taskId: track.taskId } });
    expect(pending).toMatchObject({ code: 400, data: { taskId: first.data.taskId } });
    const done = await settledCover(h, first.data.taskId);
    const again = await h.call("/api/v1/suno/cover/generate", {
      json: { taskId: track.taskId, callBackUrl: cb() },
    });
    expect(again).toMatchObject({ code: 400, data: { taskId: first.data.taskId } });
    expect(again.msg).toMatch(/already exists/);
    const before = await Promise.all((done.data.response.images as string[]).map(download));
    const del = await h.call(`/api/v1/hookline/tasks/${first.data.taskId}`, { method: "DELETE" });
    expect(del).toMatchObject({ code: 200, data: { filesDeleted: 2 } });
    const fresh = await h.call("/api/v1/suno/cover/generate", { json: { taskId: track.taskId } });
    expect(fresh.code).toBe(200);
    expect(fresh.data.taskId).not.toBe(first.data.taskId);
    const rec = await settledCover(h, fresh.data.taskId);
    const after = await Promise.all((rec.data.response.images as string[]).map(download));
    expect(after.map((b, i) => b.equals(before[i]!))).toEqual([true, true]);
  });

  it("unknown, foreign and non-music ids: the same 404; no taskId or a wrong type: 400", async () => {
    const other = await h.newKey("other");
    const mine = await uploadTrack(h, song);
    const theirs = await uploadTrack(h, song, other.apiKey);
    const unknown = await h.call("/api/v1/suno/cover/generate", { json: { taskId: "0".repeat(32) } });
    const foreign = await h.call("/api/v1/suno/cover/generate", { json: { taskId: theirs.taskId } });
    expect(unknown).toEqual({ code: 404, msg: "Task not found", data: null });
    expect(foreign).toEqual(unknown);
    const cover = await h.call("/api/v1/suno/cover/generate", { json: { taskId: mine.taskId } });
    const coverAsMusic = await h.call("/api/v1/suno/cover/generate", { json: { taskId: cover.data.taskId } });
    expect(coverAsMusic).toEqual(unknown);
    const foreignRecord = await h.call(`/api/v1/suno/cover/record-info?taskId=${cover.data.taskId}`, {
      key: other.apiKey,
    });
    const unknownRecord = await h.call(`/api/v1/suno/cover/record-info?taskId=${"f".repeat(32)}`);
    expect(foreignRecord).toEqual(unknownRecord);
    expect(unknownRecord.code).toBe(404);
    expect((await h.call("/api/v1/suno/cover/generate", { json: {} })).code).toBe(400);
    expect((await h.call("/api/v1/suno/cover/generate", { json: { taskId: 42 } })).code).toBe(400);
    expect((await h.call("/api/v1/suno/cover/record-info")).code).toBe(400);
    await settledCover(h, cover.data.taskId);
    await expectServing(h);
  });

  it("a plain (non-audio) upload has no music task: its path or name as taskId is 404", async () => {
    const text = await makeRandomBytes(dir.path, 2_000, "notes.txt");
    const up = await streamUpload(h, text);
    expect(up.code).toBe(200);
    expect(up.data.taskId).toBeUndefined();
    for (const id of [up.data.filePath, up.data.fileName]) {
      expect(await h.call("/api/v1/suno/cover/generate", { json: { taskId: id } })).toMatchObject({
        code: 404,
      });
    }
    await expectServing(h);
  });

  it("a corrupt track fails: GENERATE_COVER_FAILED, successFlag 3, code 400 with the decoder's reason; a retry is allowed", async () => {
    const track = await uploadTrack(h, await corruptFlac(dir.path));
    const gen = await h.call("/api/v1/suno/cover/generate", {
      json: { taskId: track.taskId, callBackUrl: cb() },
    });
    const rec = await settledCover(h, gen.data.taskId);
    expect(rec.data).toMatchObject({
      status: "GENERATE_COVER_FAILED",
      successFlag: 3,
      errorCode: 400,
      response: null,
    });
    expect(rec.data.errorMessage).toMatch(/decode/);
    await waitFor("the failure callback", () => bodies().some((b) => b.taskId === gen.data.taskId));
    const body = bodies().find((b) => b.taskId === gen.data.taskId);
    expect(body).toMatchObject({
      code: 400,
      data: { images: null, taskId: gen.data.taskId, task_id: gen.data.taskId },
    });
    const again = await h.call("/api/v1/suno/cover/generate", { json: { taskId: track.taskId } });
    expect(again.code).toBe(200);
    await settledCover(h, again.data.taskId);
    await expectServing(h);
  });
});

describe("cover record while no runner has claimed it", () => {
  it("successFlag 0, status PENDING, errorCode null, no completeTime", async () => {
    const h = await startTestHookline({ roles: { runner: false } });
    const dir = await tmpDir("cover-pending");
    try {
      const song = await makeSong(dir.path, { name: "wait.flac", seconds: 2, bpm: 100, chord: [60, 64, 67] });
      const track = await uploadTrack(h, song);
      const gen = await h.call("/api/v1/suno/cover/generate", { json: { taskId: track.taskId } });
      const rec = await h.call(`/api/v1/suno/cover/record-info?taskId=${gen.data.taskId}`);
      expect(rec.data).toMatchObject({
        status: "PENDING",
        successFlag: 0,
        errorCode: null,
        errorMessage: null,
        completeTime: null,
        response: null,
      });
    } finally {
      await h.stop();
      await dir.cleanup();
    }
  });
});
