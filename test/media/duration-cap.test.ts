/**
 * Issue 9, finding 7: a file whose header claims less than it plays. The probe believes the header (it is all
 * a probe reads); every decode must stop at the cap by itself and fail with payload_too_large, having decoded
 * no more than the cap (plus its slack), rather than hours, and rather than analysing a truncated track.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyseTrack } from "../../src/media/analysis/index.js";
import {
  convertToWav,
  DURATION_SLACK_S,
  decodePcm,
  type Ffmpeg,
  findFfmpeg,
  probeAudio,
} from "../../src/media/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { makeLyingMp3 } from "../helpers/lying-audio.js";

const CAP_S = 20;
const RATE = 16_000;
/** What a capped decode may deliver at most: the cap, its slack, and the 0.1 s read past it. */
const MOST_S = CAP_S + DURATION_SLACK_S + 0.1;

let ff: Ffmpeg;
let dir: TmpDir;
let lying: { path: string; claimedS: number; realS: number };

beforeAll(async () => {
  const found = await findFfmpeg();
  if (!found) throw new Error("these tests need ffmpeg and ffprobe on the PATH");
  ff = found;
  dir = await tmpDir("media-cap");
  lying = await makeLyingMp3(dir.path, { claimedS: 15, realS: 150 });
});
afterAll(() => dir.cleanup());

it("the lying file: the probe takes the header's ~15 s, under the cap, for 150 s of audio", async () => {
  const probe = await probeAudio(ff, lying.path, { maxDurationS: CAP_S });
  expect(probe).toMatchObject({ kind: "audio", codec: "mp3" });
  expect(probe.kind === "audio" && probe.durationS).toBeCloseTo(lying.claimedS, 0);
  expect(lying.claimedS).toBeLessThan(CAP_S);
  expect(lying.realS).toBeGreaterThan(5 * CAP_S);
});

describe("decodePcm with maxDurationS", () => {
  it("stops at the cap and throws payload_too_large, having yielded no more than the cap", async () => {
    let samples = 0;
    const t0 = performance.now();
    const err = await (async () => {
      for await (const chunk of decodePcm(ff, lying.path, {
        sampleRate: RATE,
        channels: 1,
        maxDurationS: CAP_S,
      }))
        samples += chunk.length;
    })().catch((e: unknown) => e);
    const ms = performance.now() - t0;
    expect(err).toMatchObject({
      code: "payload_too_large",
      message: `the audio is longer than the ${CAP_S} s limit`,
    });
    // It did decode up to the cap (it is not the header that refused; the chunk that crossed the cap is not
    // handed out), and not much past it.
    expect(samples).toBeGreaterThan((CAP_S - 1) * RATE);
    expect(samples).toBeLessThanOrEqual(MOST_S * RATE);
    expect(ms, "decoding stopped at the cap").toBeLessThan(10_000);
  });

  it("does not refuse a source at the cap, its encoder padding included, nor bound a shorter excerpt", async () => {
    const two = await makeAudio(dir.path, { format: "mp3", seconds: 2, name: "two.mp3" });
    let n = 0;
    for await (const c of decodePcm(ff, two, { sampleRate: RATE, channels: 1, maxDurationS: 2 }))
      n += c.length;
    expect(n / RATE).toBeGreaterThanOrEqual(2);
    n = 0;
    const opts = { sampleRate: RATE, channels: 1 as const, startS: 100, endS: 110, maxDurationS: CAP_S };
    for await (const c of decodePcm(ff, lying.path, opts)) n += c.length;
    expect(n).toBe(10 * RATE);
  });

  it("refuses a cap that is not positive", async () => {
    const gen = decodePcm(ff, lying.path, { sampleRate: RATE, channels: 1, maxDurationS: 0 });
    await expect(gen.next()).rejects.toMatchObject({ code: "bad_request" });
  });
});

it("the cover analysis fails with payload_too_large instead of analysing 150 s", async () => {
  const t0 = performance.now();
  const err = await analyseTrack(ff, lying.path, { maxDurationS: CAP_S }).catch((e: unknown) => e);
  expect(err).toMatchObject({
    code: "payload_too_large",
    message: `the audio is longer than the ${CAP_S} s limit`,
  });
  expect(performance.now() - t0).toBeLessThan(10_000);
});

it("the WAV conversion fails the same way, leaving no output", async () => {
  const dst = `${dir.path}/lying.wav`;
  const err = await convertToWav(ff, lying.path, dst, { bitDepth: 16, maxDurationS: CAP_S }).catch(
    (e: unknown) => e,
  );
  expect(err).toMatchObject({
    code: "payload_too_large",
    message: `the audio is longer than the ${CAP_S} s limit`,
  });
  expect(existsSync(dst)).toBe(false);
});

it("a probe that must decode (no stated duration) stops a little past the cap and reports that", async () => {
  const rec = await makeAudio(dir.path, { format: "webm", seconds: 8, streamed: true, name: "rec.webm" });
  const probe = await probeAudio(ff, rec, { maxDurationS: 3 });
  expect(probe.kind).toBe("audio");
  const durationS = probe.kind === "audio" ? probe.durationS : 0;
  expect(durationS).toBeGreaterThan(3 + DURATION_SLACK_S);
  expect(durationS).toBeLessThan(3.5);
  // Without a cap it times the whole recording, as before.
  expect(await probeAudio(ff, rec)).toMatchObject({ durationS: expect.closeTo(8, 1) });
});
