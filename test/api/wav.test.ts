/**
 * WAV conversion through the real server (spec 4, 11, 13): field spellings, the taskId check, polling without a
 * callback, duplicates (409 with the existing taskId), a new task after a failure, the record's fields, and
 * damaged sources (a truncated MP3 converts what is present; a corrupt FLAC fails with code 400).
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, makeTruncated, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { expectServing, settledWav, uploadTrack } from "../http/support.js";
import { corruptFlac, wavInfoAt } from "./wav-files.js";

const WIRE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

describe("WAV generate and record-info", () => {
  let h: TestHookline;
  let dir: TmpDir;
  let receiver: Receiver;
  let mp3: string;
  const cb = () => `${receiver.origin}/cb`;
  const bodies = () => receiver.requests.map((r) => JSON.parse(r.body));

  beforeAll(async () => {
    h = await startTestHookline();
    dir = await tmpDir("wav");
    receiver = await startReceiver((_req, res) => res.end("ok"));
    mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 2 });
  });
  afterAll(async () => {
    await receiver.close();
    await h.stop();
    await dir.cleanup();
  });

  it("accepts every spelling of the callback URL, audioId and taskId", async () => {
    const spellings = [
      (t: { taskId: string; audioId: string }) => ({
        callBackUrl: cb(),
        audioId: t.audioId,
        taskId: t.taskId,
      }),
      (t: { taskId: string; audioId: string }) => ({
        callbackUrl: cb(),
        audio_id: t.audioId,
        task_id: t.taskId,
      }),
      (t: { taskId: string; audioId: string }) => ({ calBackUrl: cb(), audio_id: t.audioId }),
    ];
    const ids: string[] = [];
    for (const spell of spellings) {
      const track = await uploadTrack(h, mp3);
      const gen = await h.call("/api/v1/wav/generate", { json: spell(track) });
      expect(gen, JSON.stringify(spell(track))).toMatchObject({ code: 200, msg: "success" });
      expect(gen.data.taskId).toMatch(/^[0-9a-f]{32}$/);
      ids.push(gen.data.taskId);
      const rec = await settledWav(h, gen.data.taskId);
      expect(rec.data).toMatchObject({ status: "SUCCESS", musicId: track.audioId, callbackUrl: cb() });
    }
    await waitFor("three callbacks", () => receiver.requests.length >= 3);
    expect(
      bodies()
        .map((b) => b.data.task_id)
        .sort(),
    ).toEqual([...ids].sort());
  });

  it("a record on success: both status keys, both URL keys, wire times, errorCode null", async () => {
    const track = await uploadTrack(h, mp3);
    const gen = await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId, callBackUrl: cb() } });
    const rec = await settledWav(h, gen.data.taskId);
    const d = rec.data;
    expect(d).toMatchObject({
      taskId: gen.data.taskId,
      musicId: track.audioId,
      musicIndex: 0,
      callbackUrl: cb(),
      status: "SUCCESS",
      successFlag: "SUCCESS",
      errorCode: null,
      errorMessage: null,
    });
    expect(d.createTime).toMatch(WIRE_TIME);
    expect(d.completeTime).toMatch(WIRE_TIME);
    expect(d.response.audio_wav_url).toBe(d.response.audioWavUrl);
    const head = await fetch(d.response.audioWavUrl, { method: "HEAD" });
    expect(head.headers.get("content-type")).toMatch(/^audio\/(x-)?wav/);
    const info = await wavInfoAt(d.response.audioWavUrl, dir.path);
    expect(info).toMatchObject({ format: 1, bitDepth: 16, sampleRate: 44_100, channels: 2 });
    expect(info.durationS).toBeCloseTo(2, 1);
    await waitFor("the callback", () => bodies().some((b) => b.data.task_id === gen.data.taskId));
    const body = bodies().find((b) => b.data.task_id === gen.data.taskId);
    expect(body).toMatchObject({ code: 200, data: { audioWavUrl: expect.any(String) } });
    expect(body.data.audio_wav_url).toBe(body.data.audioWavUrl);
  });

  it("a taskId that is not the track's task: 400", async () => {
    const a = await uploadTrack(h, mp3);
    const b = await uploadTrack(h, mp3);
    const env = await h.call("/api/v1/wav/generate", { json: { audioId: a.audioId, taskId: b.taskId } });
    expect(env.code).toBe(400);
    await expectServing(h);
  });

  it("works without callBackUrl: polled only, no message", async () => {
    const track = await uploadTrack(h, mp3);
    const before = receiver.requests.length;
    const gen = await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId } });
    expect(gen.code).toBe(200);
    const rec = await settledWav(h, gen.data.taskId);
    expect(rec.data).toMatchObject({ status: "SUCCESS", callbackUrl: "" });
    const log = await h.call(`/api/v1/hookline/tasks/${gen.data.taskId}/deliveries`);
    expect(log.data.messages).toEqual([]);
    expect(receiver.requests.length).toBe(before);
  });

  it("a duplicate of a succeeded task: 409 with the existing taskId", async () => {
    const track = await uploadTrack(h, mp3);
    const first = await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId } });
    await settledWav(h, first.data.taskId);
    const again = await h.call("/api/v1/wav/generate", {
      json: { audio_id: track.audioId, callBackUrl: cb() },
    });
    expect(again).toMatchObject({ code: 409, data: { taskId: first.data.taskId } });
  });

  it("a truncated MP3 converts the part present", async () => {
    const cut = await makeTruncated(mp3, dir.path, 0.4);
    const track = await uploadTrack(h, cut);
    const gen = await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId } });
    const rec = await settledWav(h, gen.data.taskId);
    expect(rec.data.status).toBe("SUCCESS");
    const { durationS } = await wavInfoAt(rec.data.response.audioWavUrl, dir.path);
    expect(durationS).toBeGreaterThan(0.5);
    expect(durationS).toBeLessThan(1.2);
  });

  it("a corrupt FLAC that probes as audio fails (code 400); afterwards a new task is allowed", async () => {
    const track = await uploadTrack(h, await corruptFlac(dir.path));
    const gen = await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId, callBackUrl: cb() } });
    const rec = await settledWav(h, gen.data.taskId);
    expect(rec.data).toMatchObject({ status: "GENERATE_WAV_FAILED", successFlag: "GENERATE_WAV_FAILED" });
    expect(rec.data).toMatchObject({ errorCode: 400, response: null });
    expect(rec.data.errorMessage).toMatch(/decode/);
    await waitFor("the failure callback", () => bodies().some((b) => b.data.task_id === gen.data.taskId));
    const body = bodies().find((b) => b.data.task_id === gen.data.taskId);
    expect(body).toMatchObject({ code: 400, data: { audioWavUrl: null, audio_wav_url: null } });
    const again = await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId } });
    expect(again.code).toBe(200);
    expect(again.data.taskId).not.toBe(gen.data.taskId);
    await settledWav(h, again.data.taskId);
    await expectServing(h);
  });
});
