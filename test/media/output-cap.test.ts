/**
 * Issue 9, finding 2: a tiny source can decode to a huge WAV (silence compresses ~1000:1 in FLAC). The size is
 * predicted before the work (`predictWavBytes`, exact for what `convertToWav` writes), and the conversion stops
 * writing at `maxBytes` whatever the source claimed, failing with payload_too_large and leaving no file.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HooklineError } from "../../src/lib/errors.js";
import { convertToWav, type Ffmpeg, findFfmpeg, predictWavBytes, probeAudio } from "../../src/media/index.js";
import { makeAudio, run, type TmpDir, tmpDir } from "../helpers/audio.js";

let ff: Ffmpeg;
let dir: TmpDir;

beforeAll(async () => {
  const found = await findFfmpeg();
  if (!found) throw new Error("these tests need ffmpeg and ffprobe on the PATH");
  ff = found;
  dir = await tmpDir("media-outcap");
});
afterAll(() => dir.cleanup());

const MB = 2 ** 20;

describe("predictWavBytes", () => {
  const shapes = [
    { channels: 1, sampleRate: 44_100, bitDepth: 16, seconds: 1 },
    { channels: 2, sampleRate: 48_000, bitDepth: 24, seconds: 1.5 },
    { channels: 8, sampleRate: 48_000, bitDepth: 16, seconds: 0.5 },
    { channels: 2, sampleRate: 96_000, bitDepth: 16, seconds: 0.5 },
    // 44 101 frames of 3 bytes: odd, so the data chunk gets its pad byte.
    { channels: 1, sampleRate: 44_100, bitDepth: 24, seconds: 44_101 / 44_100 },
  ] as const;
  for (const s of shapes) {
    it(`is exact for ${s.channels} ch, ${s.sampleRate} Hz, ${s.bitDepth}-bit, from the probe's duration`, async () => {
      const name = `shape-${s.channels}-${s.sampleRate}-${s.bitDepth}.flac`;
      const src = await makeAudio(dir.path, { format: "flac", name, ...s });
      const probe = await probeAudio(ff, src);
      if (probe.kind !== "audio") throw new Error(probe.reason);
      const wav = await convertToWav(ff, src, `${src}.wav`, { bitDepth: s.bitDepth });
      expect(predictWavBytes(probe, s.bitDepth)).toBe(wav.bytes);
    });
  }

  it("counts finding 2's file (59 min of 7.1 at 192 kHz) as the 10.9 GB it became; no jump at 4 GiB", () => {
    const big = predictWavBytes({ durationS: 59 * 60, sampleRate: 192_000, channels: 8 }, 16);
    expect(big).toBe(59 * 60 * 192_000 * 16 + 104);
    // -rf64 auto reserves the ds64 chunk up front: the header is the same size on both sides of 4 GiB.
    const frames = 2 ** 30; // stereo 16-bit: exactly 4 GiB of data
    const at = (n: number) => predictWavBytes({ durationS: n / 48_000, sampleRate: 48_000, channels: 2 }, 16);
    expect(at(frames) - at(frames - 1)).toBe(4);
    expect(at(frames + 1) - at(frames)).toBe(4);
    expect(at(frames)).toBe(2 ** 32 + 80);
  });

  it("refuses shapes that are not one", () => {
    for (const shape of [
      { durationS: -1, sampleRate: 44_100, channels: 2 },
      { durationS: Number.NaN, sampleRate: 44_100, channels: 2 },
      { durationS: 1, sampleRate: 0, channels: 2 },
      { durationS: 1, sampleRate: 44_100, channels: 1.5 },
    ]) {
      expect(() => predictWavBytes(shape, 16)).toThrow(HooklineError);
    }
  });
});

describe("convertToWav maxBytes", () => {
  it("stops a FLAC of silence that would be ~1000× its size, with payload_too_large and no file", async () => {
    const src = `${dir.path}/silence-7.1-192k.flac`;
    const graph = "anullsrc=r=192000:cl=7.1:d=20";
    await run("ffmpeg", ["-nostdin", "-v", "error", "-f", "lavfi", "-i", graph, "-c:a", "flac", "-y", src]);
    const dst = `${dir.path}/silence.wav`;
    const err = await convertToWav(ff, src, dst, { bitDepth: 16, maxBytes: MB }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HooklineError);
    expect(err).toMatchObject({
      code: "payload_too_large",
      message: "the WAV would be larger than the 1 MB limit for one result",
    });
    expect(existsSync(dst)).toBe(false);
  });

  it("is a hard stop: ffmpeg ends at the limit while its input is still coming", async () => {
    // A FIFO holding 4 MB and never closed: only the size limit can end this conversion.
    const long = await makeAudio(dir.path, { format: "wav", seconds: 30, name: "long.wav" });
    const fifo = `${dir.path}/endless.fifo`;
    execFileSync("mkfifo", [fifo]);
    const dst = `${dir.path}/endless.wav`;
    const conversion = convertToWav(ff, fifo, dst, { bitDepth: 16, maxBytes: MB }).catch((e: unknown) => e);
    const writer = createWriteStream(fifo);
    writer.on("error", () => undefined);
    writer.write(readFileSync(long).subarray(0, 4 * MB));
    try {
      expect(await conversion).toMatchObject({ code: "payload_too_large" });
      expect(existsSync(dst)).toBe(false);
    } finally {
      writer.destroy();
    }
  });

  it("lets a WAV of exactly maxBytes through, and refuses one byte less", async () => {
    const src = await makeAudio(dir.path, { format: "flac", seconds: 2, name: "exact.flac" });
    const probe = await probeAudio(ff, src);
    if (probe.kind !== "audio") throw new Error(probe.reason);
    const size = predictWavBytes(probe, 16);
    const ok = await convertToWav(ff, src, `${src}.wav`, { bitDepth: 16, maxBytes: size });
    expect(ok.bytes).toBe(size);
    const dst = `${src}.small.wav`;
    await expect(convertToWav(ff, src, dst, { bitDepth: 16, maxBytes: size - 1 })).rejects.toMatchObject({
      code: "payload_too_large",
    });
    expect(existsSync(dst)).toBe(false);
    await expect(convertToWav(ff, src, dst, { bitDepth: 16, maxBytes: 0 })).rejects.toMatchObject({
      code: "bad_request",
    });
  });
});
