/**
 * The replay check on real audio made here: copies of a source recording (the same file, re-encoded, resampled,
 * quieter, under noise, shifted and padded, the segment cut out) match it nearly bit for bit at some alignment;
 * new takes of the same voice (other words, or the same words said again at another pitch and speed) do not.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFfmpeg } from "../../src/media/index.js";
import {
  type Analysis,
  analyseRecording,
  createFrameAnalyser,
  decodeFingerprint,
  encodeFingerprint,
  FINGERPRINT,
  FRAME,
  matchReplay,
  REPLAY,
  type TakeFingerprint,
} from "../../src/speech/index.js";
import { run, type TmpDir, tmpDir } from "../helpers/audio.js";
import { speak } from "../helpers/voice.js";

const SOURCE = [
  "The morning light is falling softly on the river.",
  "We keep on singing a brand new song together.",
  "My sister plays the old guitar by the window.",
];

/** ffmpeg filters and encoders that make a copy of the source's WAV decode. */
const COPIES: Record<string, string[]> = {
  "MP3 at 64 kb/s": ["-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3"],
  "Opus at 24 kb/s in WebM": ["-c:a", "libopus", "-b:a", "24k", "-f", "webm"],
  "AAC at 64 kb/s in MP4": ["-c:a", "aac", "-b:a", "64k", "-f", "mp4"],
  "resampled to 8 kHz": ["-ar", "8000", "-c:a", "pcm_s16le", "-f", "wav"],
  "20 dB quieter": ["-af", "volume=0.1", "-c:a", "pcm_s16le", "-f", "wav"],
  "under white noise": [
    "-filter_complex",
    "anoisesrc=d=20:c=white:a=0.01:r=22050:seed=7[n];[0][n]amix=inputs=2:duration=first:normalize=0",
    "-c:a",
    "pcm_s16le",
    "-f",
    "wav",
  ],
  // 0.537 s of silence before (not a whole number of 10 ms frames), 1 s after.
  "shifted and padded with silence": ["-af", "adelay=delays=11843S:all=1,apad=pad_dur=1", "-f", "wav"],
  "the segment cut out (1.234 s to 5.5 s)": ["-af", "atrim=start=1.234:end=5.5", "-f", "wav"],
};

describe("replay of the source recording", () => {
  let dir: TmpDir;
  let source: Analysis;
  const copies: Record<string, Analysis> = {};
  const takes: Record<string, Analysis> = {};

  beforeAll(async () => {
    dir = await tmpDir("replay");
    const ff = (await findFfmpeg())!;
    const mp3 = await speak(dir.path, "en+m3", SOURCE, { format: "mp3" });
    const wav = join(dir.path, "source.wav");
    await run("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", mp3, "-ar", "22050", wav]);
    source = await analyseRecording(ff, mp3);
    copies["the same file"] = await analyseRecording(ff, mp3);
    await Promise.all(
      Object.entries(COPIES).map(async ([name, args], i) => {
        const out = join(dir.path, `copy-${i}`);
        await run("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", wav, ...args, out]);
        copies[name] = await analyseRecording(ff, out);
      }),
    );
    const phrase = ["Every evening, the birds repeat our chorus with a smile near the ocean waves."];
    const again = { pitch: 44, speed: 160 };
    takes["other words"] = await analyseRecording(ff, await speak(dir.path, "en+m3", phrase));
    takes["the first two sentences said again"] = await analyseRecording(
      ff,
      await speak(dir.path, "en+m3", SOURCE.slice(0, 2), again),
    );
    // espeak-ng gives its voices one timing and pitch contour, which no two people share: a voice of another
    // pitch range, so that the voice rather than the contour makes the difference (docs/voice-verification.md).
    takes["the same words by another voice"] = await analyseRecording(
      ff,
      await speak(dir.path, "en+f3", SOURCE),
    );
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  for (const name of ["the same file", ...Object.keys(COPIES)]) {
    it(`${name}: a replay`, () => {
      const m = matchReplay(source.fingerprint, copies[name]!.fingerprint);
      expect(m.bitErrorRate, `bit error rate ${m.bitErrorRate}`).toBeLessThanOrEqual(REPLAY.maxBitErrorRate);
      expect(m.replay).toBe(true);
    });
  }

  it("the same file matches bit for bit, where it starts", () => {
    expect(matchReplay(source.fingerprint, copies["the same file"]!.fingerprint)).toMatchObject({
      bitErrorRate: 0,
      replay: true,
    });
    const shifted = matchReplay(source.fingerprint, copies["shifted and padded with silence"]!.fingerprint);
    expect(shifted.takeAtS - shifted.sourceAtS).toBeCloseTo(0.537, 1);
  });

  for (const name of [
    "other words",
    "the first two sentences said again",
    "the same words by another voice",
  ]) {
    it(`${name}: a new take, not a replay`, () => {
      const m = matchReplay(source.fingerprint, takes[name]!.fingerprint);
      expect(m.replay).toBe(false);
      expect(m.bitErrorRate).toBeGreaterThan(REPLAY.maxBitErrorRate + 0.05);
    });
  }

  it("a fingerprint survives its text form; other text, or another version, is not one", () => {
    const text = encodeFingerprint(source.fingerprint);
    const back = decodeFingerprint(text)!;
    expect(back.words).toEqual(source.fingerprint.words);
    expect(back.voiced).toEqual(source.fingerprint.voiced);
    expect(decodeFingerprint(text.replace(/^hk\d+/, "hk17"))).toBeNull();
    expect(decodeFingerprint("hello")).toBeNull();
    expect(decodeFingerprint(42)).toBeNull();
    expect(decodeFingerprint(undefined)).toBeNull();
  });
});

describe("the fingerprint itself", () => {
  it("is one 32-bit word per frame and ignores the gain", () => {
    const samples = new Float32Array(FRAME.sampleRate * 2);
    for (let i = 0; i < samples.length; i++) {
      // A gliding harmonic tone: the band energies change from frame to frame.
      const hz = 150 + (100 * i) / samples.length;
      let s = 0;
      for (let h = 1; h <= 10; h++) s += Math.sin((2 * Math.PI * hz * h * i) / FRAME.sampleRate) / h;
      samples[i] = 0.2 * s;
    }
    const words = (x: Float32Array) => {
      const a = createFrameAnalyser();
      a.push(x);
      return a.finish();
    };
    const loud = words(samples);
    const quiet = words(samples.map((v) => v * 0.1));
    expect(loud.fingerprint.words).toHaveLength(loud.count);
    let differing = 0;
    for (let i = 0; i < loud.count; i++) {
      if (loud.fingerprint.words[i] !== quiet.fingerprint.words[i]) differing++;
    }
    expect(differing).toBeLessThan(loud.count * 0.02);
    expect(FINGERPRINT.bands - 1).toBe(32);
  });

  it("a 60 s take against a 60 s source costs well under a second of CPU", () => {
    const random = (seed: number): TakeFingerprint => {
      let x = seed;
      const next = () => {
        x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
        return x;
      };
      const n = 6000;
      const voiced = new Uint8Array(n);
      // Voice comes in runs, as syllables do: 50–450 ms voiced, then as long unvoiced.
      for (let i = 0, on = 1; i < n; on = 1 - on) {
        const run = 5 + (next() % 40);
        voiced.fill(on, i, i + run);
        i += run;
      }
      // Every other bit reliable: 16 of 32, as the fingerprinter marks them.
      return {
        words: Uint32Array.from({ length: n }, next),
        reliable: new Uint32Array(n).fill(0x55555555),
        voiced,
      };
    };
    // CPU time of this process, not the wall clock: the machine running the tests may be busy.
    const start = process.cpuUsage();
    const m = matchReplay(random(1), random(2));
    const used = process.cpuUsage(start);
    expect((used.user + used.system) / 1000).toBeLessThan(1000);
    expect(m.replay).toBe(false);
    expect(m.bitErrorRate).toBeGreaterThan(REPLAY.maxBitErrorRate);
  });
});
