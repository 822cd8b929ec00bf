/**
 * WAV behaviour that needs its own server: a task kept PENDING (no runner in the process) to see the pending
 * record and the duplicate refusal while pending, and 24-bit output by HOOKLINE_WAV_BIT_DEPTH=24 (spec 4, 12.2, 13).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { expectServing, settledWav, uploadTrack } from "../http/support.js";
import { wavInfoAt } from "./wav-files.js";

let dir: TmpDir;
let mp3: string;
beforeAll(async () => {
  dir = await tmpDir("wav-options");
  mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1, sampleRate: 48_000, channels: 1 });
});
afterAll(() => dir.cleanup());

describe("a pending WAV task (no runner)", () => {
  let h: TestHookline;
  beforeAll(async () => {
    h = await startTestHookline({ roles: { runner: false, sender: false } });
  });
  afterAll(() => h.stop());

  it("the record says PENDING, with nothing completed yet", async () => {
    const track = await uploadTrack(h, mp3);
    const gen = await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId } });
    const rec = await h.call(`/api/v1/wav/record-info?task_id=${gen.data.taskId}`);
    expect(rec).toMatchObject({ code: 200, msg: "success" });
    expect(rec.data).toMatchObject({
      taskId: gen.data.taskId,
      musicId: track.audioId,
      status: "PENDING",
      successFlag: "PENDING",
      completeTime: null,
      response: null,
      errorCode: null,
      errorMessage: null,
    });
  });

  it("a duplicate while pending: 409 with the existing taskId, in every spelling", async () => {
    const track = await uploadTrack(h, mp3);
    const first = await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId } });
    expect(first.code).toBe(200);
    for (const json of [
      { audioId: track.audioId },
      { audio_id: track.audioId, task_id: track.taskId },
      { audioId: track.audioId, callbackUrl: "http://127.0.0.1:9/cb" },
    ]) {
      const again = await h.call("/api/v1/wav/generate", { json });
      expect(again, JSON.stringify(json)).toMatchObject({ code: 409, data: { taskId: first.data.taskId } });
    }
    const list = await h.call(`/api/v1/hookline/tasks?family=wav&status=PENDING`);
    expect(list.data.tasks.filter((t: { taskId: string }) => t.taskId === first.data.taskId)).toHaveLength(1);
    await expectServing(h);
  });
});

describe("HOOKLINE_WAV_BIT_DEPTH=24", () => {
  let h: TestHookline;
  beforeAll(async () => {
    h = await startTestHookline({ env: { HOOKLINE_WAV_BIT_DEPTH: "24" } });
  });
  afterAll(() => h.stop());

  it("writes 24-bit PCM that keeps the source's rate and channels", async () => {
    const track = await uploadTrack(h, mp3);
    const gen = await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId } });
    const rec = await settledWav(h, gen.data.taskId);
    expect(rec.data.status).toBe("SUCCESS");
    const info = await wavInfoAt(rec.data.response.audio_wav_url, dir.path);
    expect(info).toMatchObject({ format: 1, bitDepth: 24, sampleRate: 48_000, channels: 1 });
    expect(info.durationS).toBeCloseTo(1, 1);
  });
});
