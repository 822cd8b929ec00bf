/**
 * Issue 9, findings 7 and 2, through the real server: an MP3 whose header claims less than it plays is accepted
 * at upload (the probe believes the header), and then each task that decodes it stops at the limit by itself
 * and fails with a clear message (code 400), quickly, rather than working through the whole file.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { makeLyingMp3 } from "../helpers/lying-audio.js";
import { settledWav, uploadTrack } from "../http/support.js";
import { settledCover } from "./cover-support.js";

let dir: TmpDir;
let lying: { path: string; claimedS: number; realS: number };
beforeAll(async () => {
  dir = await tmpDir("source-caps");
  // ~24 s by its header, 220 s of audio.
  lying = await makeLyingMp3(dir.path, { claimedS: 24, realS: 220 });
});
afterAll(() => dir.cleanup());

describe("HOOKLINE_MAX_SOURCE_MINUTES=0.5: a source that plays longer than its header says", () => {
  let h: TestHookline;
  let audioId: string;
  let taskId: string;
  beforeAll(async () => {
    h = await startTestHookline({ env: { HOOKLINE_MAX_SOURCE_MINUTES: "0.5" } });
  });
  afterAll(() => h.stop());

  it("is accepted at upload: the probe reads the header's length, under the 30 s cap", async () => {
    expect(lying.claimedS).toBeLessThan(30);
    expect(lying.realS).toBeGreaterThan(7 * 30);
    ({ audioId, taskId } = await uploadTrack(h, lying.path));
  });

  it("its cover task stops decoding at the cap and fails: 400, 'longer than the 30 s limit'", async () => {
    const t0 = performance.now();
    const gen = await h.call("/api/v1/suno/cover/generate", { json: { taskId } });
    const rec = await settledCover(h, gen.data.taskId);
    const s = (performance.now() - t0) / 1000;
    expect(rec.data).toMatchObject({ status: "GENERATE_COVER_FAILED", successFlag: 3, errorCode: 400 });
    expect(rec.data.errorMessage).toBe("the audio is longer than the 30 s limit");
    expect(s, `the cover task failed after ${s} s`).toBeLessThan(15);
  });

  it("its WAV task fails the same way, as fast", async () => {
    const t0 = performance.now();
    const gen = await h.call("/api/v1/wav/generate", { json: { audioId } });
    const rec = await settledWav(h, gen.data.taskId);
    const s = (performance.now() - t0) / 1000;
    expect(rec.data).toMatchObject({ status: "GENERATE_WAV_FAILED", errorCode: 400, response: null });
    expect(rec.data.errorMessage).toBe("the audio is longer than the 30 s limit");
    expect(s, `the WAV task failed after ${s} s`).toBeLessThan(15);
  });
});

describe("HOOKLINE_MAX_OUTPUT_MB=8: a WAV larger than its source's header predicts", () => {
  let h: TestHookline;
  beforeAll(async () => {
    h = await startTestHookline({ env: { HOOKLINE_MAX_OUTPUT_MB: "8" } });
  });
  afterAll(() => h.stop());

  it("stops at 8 MB and fails: 400, 'larger than the 8 MB limit'", async () => {
    // Its header predicts ~24 s × 176 400 B/s ≈ 4 MB, under the limit; the 220 s it plays would make 39 MB.
    const { audioId } = await uploadTrack(h, lying.path);
    const gen = await h.call("/api/v1/wav/generate", { json: { audioId } });
    const rec = await settledWav(h, gen.data.taskId);
    expect(rec.data).toMatchObject({ status: "GENERATE_WAV_FAILED", errorCode: 400, response: null });
    expect(rec.data.errorMessage).toBe("the WAV would be larger than the 8 MB limit for one result");
  });
});
