/**
 * The cover analysis on real generated audio with known traits: tempo, key, brightness and loudness shape are
 * recovered, the same file gives the same features, and damaged input fails with the decoder's reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyseTrack, featureDigest, keyName } from "../../src/media/analysis/index.js";
import { type Ffmpeg, findFfmpeg } from "../../src/media/index.js";
import { makeAudio, makeRandomBytes, run, type TmpDir, tmpDir } from "../helpers/audio.js";
import { makeSong } from "../helpers/songs.js";

let ff: Ffmpeg;
let dir: TmpDir;

beforeAll(async () => {
  const found = await findFfmpeg();
  if (!found) throw new Error("these tests need ffmpeg and ffprobe on the PATH");
  ff = found;
  dir = await tmpDir("analysis");
});
afterAll(() => dir.cleanup());

describe("analyseTrack", () => {
  it("finds the tempo of a pulse (within 3 BPM) at several tempi", async () => {
    for (const bpm of [84, 120, 150]) {
      const path = await makeSong(dir.path, {
        name: `t${bpm}.flac`,
        seconds: 20,
        bpm,
        chord: [57, 60, 64],
        hats: 0,
      });
      const f = await analyseTrack(ff, path);
      expect(Math.abs((f.tempoBpm ?? 0) - bpm), `${bpm} BPM, got ${f.tempoBpm}`).toBeLessThan(3);
      expect(f.pulseClarity).toBeGreaterThan(0.2);
    }
  });

  it("with eighth-note hats, lands on the beat or on its double (the usual metrical ambiguity)", async () => {
    const path = await makeSong(dir.path, {
      name: "hats.flac",
      seconds: 20,
      bpm: 84,
      chord: [57, 60, 64],
      hats: 0.5,
    });
    const tempoBpm = (await analyseTrack(ff, path)).tempoBpm ?? 0;
    const nearest = Math.min(Math.abs(tempoBpm - 84), Math.abs(tempoBpm - 168));
    expect(nearest, `got ${tempoBpm}`).toBeLessThan(4);
  });

  it("reports no tempo for audio without a beat: a 440 Hz sine (WAV and MP3), a chord, pink noise", async () => {
    const sox = (name: string, ...synth: string[]) =>
      run("sox", ["-n", "-r", "44100", "-b", "16", `${dir.path}/${name}`, "synth", "10", ...synth]);
    await sox("sine.wav", "sine", "440", "vol", "0.5");
    await run("ffmpeg", ["-v", "error", "-i", `${dir.path}/sine.wav`, "-y", `${dir.path}/sine.mp3`]);
    await sox("chord.wav", "sine", "220", "sine", "277.18", "sine", "329.63", "remix", "-", "vol", "0.3");
    await sox("pink.wav", "pinknoise", "vol", "0.3");
    for (const name of ["sine.wav", "sine.mp3", "chord.wav", "pink.wav"]) {
      const f = await analyseTrack(ff, `${dir.path}/${name}`);
      expect(f.tempoBpm, name).toBeNull();
      expect(f.pulseClarity, name).toBeLessThan(0.15);
    }
  });

  it("still finds 120 BPM in a click track (noise bursts every 0.5 s)", async () => {
    const burst = `${dir.path}/burst.wav`;
    await run("sox", [
      "-n",
      "-r",
      "44100",
      "-b",
      "16",
      burst,
      "synth",
      "0.02",
      "whitenoise",
      "vol",
      "0.8",
      "pad",
      "0",
      "0.48",
    ]);
    await run("sox", [burst, `${dir.path}/clicks.wav`, "repeat", "29"]);
    const f = await analyseTrack(ff, `${dir.path}/clicks.wav`);
    expect(f.tempoBpm).not.toBeNull();
    expect(Math.abs((f.tempoBpm ?? 0) - 120), `got ${f.tempoBpm}`).toBeLessThan(1.5);
  });

  it("names the key of a minor and a major chord with a bass on the tonic", async () => {
    const aMinor = await makeSong(dir.path, {
      name: "am.flac",
      seconds: 12,
      bpm: 100,
      chord: [57, 60, 64],
      hats: 0,
    });
    const dMajor = await makeSong(dir.path, {
      name: "d.flac",
      seconds: 12,
      bpm: 100,
      chord: [62, 66, 69],
      hats: 0,
    });
    expect(keyName((await analyseTrack(ff, aMinor)).key)).toBe("A minor");
    expect(keyName((await analyseTrack(ff, dMajor)).key)).toBe("D major");
  });

  it("hears a bright, noisy track as brighter and noisier than a dark, tonal one", async () => {
    const dark = await analyseTrack(
      ff,
      await makeSong(dir.path, { name: "dark.flac", seconds: 10, bpm: 90, chord: [45, 48, 52], hats: 0 }),
    );
    const bright = await analyseTrack(
      ff,
      await makeSong(dir.path, { name: "bright.flac", seconds: 10, bpm: 90, chord: [69, 72, 76], hats: 0.8 }),
    );
    expect(bright.brightness).toBeGreaterThan(dark.brightness * 2);
    expect(bright.noisiness).toBeGreaterThan(dark.noisiness);
    expect(bright.bands.at(-1)!).toBeGreaterThan(dark.bands.at(-1)!);
  });

  it("follows a crescendo in the loudness envelope and sums shares to 1", async () => {
    const path = await makeSong(dir.path, {
      name: "fade.mp3",
      seconds: 16,
      bpm: 110,
      chord: [60, 64, 67],
      fadeInS: 12,
    });
    const f = await analyseTrack(ff, path);
    expect(f.envelope).toHaveLength(48);
    // Segments are a third of a second, shorter than a beat: they sample the pulse, so compare averages.
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(f.envelope.slice(0, 6))).toBeLessThan(0.5);
    expect(mean(f.envelope.slice(-12))).toBeGreaterThan(0.85);
    expect(Math.max(...f.envelope)).toBe(1);
    expect(f.durationS).toBeCloseTo(16, 0);
    for (const shares of [f.chroma, f.bands]) expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it("gives the same features, and so the same digest, for the same audio; another track differs", async () => {
    const a = await makeSong(dir.path, { name: "same.ogg", seconds: 8, bpm: 128, chord: [64, 67, 71] });
    const b = await makeSong(dir.path, { name: "other.ogg", seconds: 8, bpm: 96, chord: [62, 65, 69] });
    const [x, y, z] = await Promise.all([analyseTrack(ff, a), analyseTrack(ff, a), analyseTrack(ff, b)]);
    expect(featureDigest(x).equals(featureDigest(y))).toBe(true);
    expect(featureDigest(x).equals(featureDigest(z))).toBe(false);
  });

  it("analyses a track shorter than one analysis frame", async () => {
    const path = await makeAudio(dir.path, { format: "wav", seconds: 0.05, name: "blip.wav" });
    const f = await analyseTrack(ff, path);
    expect(f.durationS).toBeCloseTo(0.05, 2);
    expect(f.envelope.every(Number.isFinite)).toBe(true);
    // Far shorter than two beats: there is no tempo to tell.
    expect(f.tempoBpm).toBeNull();
  });

  it("fails with unsupported_media and the decoder's reason on bytes that are not audio", async () => {
    const junk = await makeRandomBytes(dir.path, 50_000, "junk.mp3");
    await expect(analyseTrack(ff, junk)).rejects.toMatchObject({ code: "unsupported_media" });
  });
});
