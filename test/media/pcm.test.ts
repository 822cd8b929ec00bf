import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePcm, type Ffmpeg, findFfmpeg } from "../../src/media/index.js";
import { makeAudio, makeRandomBytes, processesMentioning, type TmpDir, tmpDir } from "../helpers/audio.js";

let ff: Ffmpeg;
let dir: TmpDir;
/** Exactly 2.5 s: 40 000 frames at 16 kHz. */
let wav16k: string;

beforeAll(async () => {
  const found = await findFfmpeg();
  if (!found) throw new Error("these tests need ffmpeg and ffprobe on the PATH");
  ff = found;
  dir = await tmpDir("media-pcm");
  wav16k = await makeAudio(dir.path, { format: "wav", seconds: 2.5, sampleRate: 16_000, channels: 2 });
});
afterAll(() => dir.cleanup());

async function collect(
  it: AsyncIterable<Float32Array>,
): Promise<{ count: number; chunks: number; peak: number }> {
  let count = 0;
  let chunks = 0;
  let peak = 0;
  for await (const chunk of it) {
    chunks++;
    count += chunk.length;
    for (const s of chunk) peak = Math.max(peak, Math.abs(s));
  }
  return { count, chunks, peak };
}

describe("decodePcm", () => {
  it("yields every sample of a known-length file at its own rate (mono mix)", async () => {
    const { count, peak } = await collect(decodePcm(ff, wav16k, { sampleRate: 16_000, channels: 1 }));
    expect(count).toBe(40_000);
    // Two sines of amplitude 1/8 plus noise: clearly not silent, never clipping.
    expect(peak).toBeGreaterThan(0.1);
    expect(peak).toBeLessThan(1);
  });

  it("interleaves stereo: two samples per frame", async () => {
    const { count } = await collect(decodePcm(ff, wav16k, { sampleRate: 16_000, channels: 2 }));
    expect(count).toBe(80_000);
  });

  it("resamples: 2.5 s at 8 kHz is 20 000 samples", async () => {
    const { count } = await collect(decodePcm(ff, wav16k, { sampleRate: 8000, channels: 1 }));
    expect(Math.abs(count - 20_000)).toBeLessThanOrEqual(2);
  });

  it("cuts an excerpt from startS to endS", async () => {
    const { count } = await collect(
      decodePcm(ff, wav16k, { sampleRate: 16_000, channels: 1, startS: 0.5, endS: 1.5 }),
    );
    expect(Math.abs(count - 16_000)).toBeLessThanOrEqual(2);
    const tail = await collect(decodePcm(ff, wav16k, { sampleRate: 16_000, channels: 1, startS: 2 }));
    expect(Math.abs(tail.count - 8000)).toBeLessThanOrEqual(2);
  });

  it("decodes compressed input too (an MP3 of 2 s at 44.1 kHz → 32 000 samples at 16 kHz)", async () => {
    const mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 2 });
    const { count } = await collect(decodePcm(ff, mp3, { sampleRate: 16_000, channels: 1 }));
    expect(Math.abs(count - 32_000)).toBeLessThanOrEqual(16);
  });

  it("streams in chunks rather than one buffer, and kills ffmpeg when the consumer breaks", async () => {
    const long = await makeAudio(dir.path, {
      format: "flac",
      seconds: 120,
      sampleRate: 48_000,
      name: "long.flac",
    });
    let chunks = 0;
    for await (const chunk of decodePcm(ff, long, { sampleRate: 48_000, channels: 2 })) {
      expect(chunk.length % 2).toBe(0);
      if (++chunks === 3) break;
    }
    expect(chunks).toBe(3);
    expect(await processesMentioning(long)).toEqual([]);
  });

  it("abort stops the stream and ffmpeg, rejecting with the reason", async () => {
    const long = await makeAudio(dir.path, {
      format: "flac",
      seconds: 120,
      sampleRate: 48_000,
      name: "long2.flac",
    });
    const ac = new AbortController();
    const reason = new Error("stop");
    let seen = 0;
    const read = (async () => {
      for await (const chunk of decodePcm(ff, long, { sampleRate: 48_000, channels: 2, signal: ac.signal })) {
        seen += chunk.length;
        if (seen > 0) ac.abort(reason);
      }
    })();
    await expect(read).rejects.toBe(reason);
    expect(seen).toBeLessThan(120 * 48_000 * 2);
    expect(await processesMentioning(long)).toEqual([]);
  });

  it("bad input ends with unsupported_media; bad options with bad_request", async () => {
    const junk = await makeRandomBytes(dir.path, 50_000);
    await expect(collect(decodePcm(ff, junk, { sampleRate: 16_000, channels: 1 }))).rejects.toMatchObject({
      code: "unsupported_media",
    });
    await expect(
      collect(decodePcm(ff, wav16k, { sampleRate: 16_000, channels: 1, startS: 2, endS: 1 })),
    ).rejects.toMatchObject({ code: "bad_request" });
  });
});
