/**
 * The frame measurements and voice activity on signals whose answer is known: steady tones (periodic, with a
 * known pitch), noises of three colours (not voice), digital silence, and espeak-ng speech.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFfmpeg } from "../../src/media/index.js";
import {
  analyseRecording,
  createFrameAnalyser,
  detectVoice,
  FRAME,
  melFilters,
} from "../../src/speech/index.js";
import { run, type TmpDir, tmpDir } from "../helpers/audio.js";
import { speak } from "../helpers/voice.js";

function tone(hz: number, seconds: number, amplitude = 0.3): Float32Array {
  const x = new Float32Array(Math.round(seconds * FRAME.sampleRate));
  for (let i = 0; i < x.length; i++) {
    // A voice-like tone: a fundamental and decaying harmonics.
    let s = 0;
    for (let h = 1; h <= 8; h++) s += Math.sin((2 * Math.PI * hz * h * i) / FRAME.sampleRate) / h;
    x[i] = amplitude * 0.5 * s;
  }
  return x;
}

function framesOf(samples: Float32Array) {
  const a = createFrameAnalyser();
  // In uneven chunks, as ffmpeg delivers them.
  for (let at = 0; at < samples.length; at += 1237) a.push(samples.subarray(at, at + 1237));
  return a.finish();
}

describe("frame analysis", () => {
  it("mel filters cover the band with rising, overlapping triangles", () => {
    const f = melFilters(FRAME.melBands, FRAME.size, FRAME.sampleRate, FRAME.lowHz, FRAME.highHz);
    expect(f).toHaveLength(FRAME.melBands);
    for (let i = 1; i < f.length; i++) expect(f[i]!.start).toBeGreaterThanOrEqual(f[i - 1]!.start);
    for (const filter of f) expect(Math.max(...filter.weights)).toBeGreaterThan(0.5);
  });

  for (const hz of [110, 220, 440]) {
    it(`a ${hz} Hz harmonic tone is periodic, at its pitch, and all voiced`, () => {
      const frames = framesOf(tone(hz, 2));
      expect(frames.count).toBe(Math.floor((2 * FRAME.sampleRate - FRAME.size) / FRAME.hop) + 1);
      const mid = Math.floor(frames.count / 2);
      expect(frames.periodicity[mid]).toBeGreaterThan(0.8);
      expect(Math.abs(frames.f0[mid]! - hz) / hz).toBeLessThan(0.03);
      // A full-scale sine is -3 dBFS; this tone's mean square is known from its harmonics.
      expect(frames.levelDb[mid]).toBeGreaterThan(-30);
      expect(detectVoice(frames).voicedFrames).toBe(frames.count);
    });
  }

  it("digital silence has no voiced frame", () => {
    const frames = framesOf(new Float32Array(FRAME.sampleRate * 2));
    expect(detectVoice(frames).voicedFrames).toBe(0);
  });
});

describe("voice activity on real recordings", () => {
  let dir: TmpDir;
  let ff: NonNullable<Awaited<ReturnType<typeof findFfmpeg>>>;
  const noise: Record<string, string> = {};
  let speech: string;

  beforeAll(async () => {
    dir = await tmpDir("vad");
    ff = (await findFfmpeg())!;
    for (const colour of ["white", "pink", "brown"]) {
      noise[colour] = `${dir.path}/${colour}.wav`;
      await run("sox", [
        "-n",
        "-r",
        "16000",
        "-c",
        "1",
        "-b",
        "16",
        noise[colour]!,
        "synth",
        "5",
        `${colour}noise`,
        "vol",
        "0.3",
      ]);
    }
    speech = await speak(dir.path, "en+m3", [
      "The morning light is falling softly on the river, and we keep singing.",
    ]);
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  for (const colour of ["white", "pink", "brown"]) {
    it(`${colour} noise is loud but holds no voice`, async () => {
      const a = await analyseRecording(ff, noise[colour]!);
      expect(a.loudestDb).toBeGreaterThan(-30);
      expect(a.voicedS).toBeLessThan(0.1);
      expect(a.stats).toBeNull();
    });
  }

  it("espeak-ng speech is mostly voiced, with speaker statistics", async () => {
    const a = await analyseRecording(ff, speech);
    expect(a.voicedS / a.durationS).toBeGreaterThan(0.4);
    expect(a.voiceDb).toBeGreaterThan(-40);
    expect(a.stats).not.toBeNull();
    expect(a.stats!.every(Number.isFinite)).toBe(true);
  });

  it("a segment is cut where asked", async () => {
    const a = await analyseRecording(ff, speech, { startS: 1, endS: 3 });
    expect(a.durationS).toBeCloseTo(2, 1);
  });
});
