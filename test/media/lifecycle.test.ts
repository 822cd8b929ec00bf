import { execFileSync } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HooklineError } from "../../src/lib/errors.js";
import {
  convertToWav,
  DURATION_SLACK_S,
  type Ffmpeg,
  findFfmpeg,
  readWavInfo,
} from "../../src/media/index.js";
import { makeAudio, processesMentioning, type TmpDir, tmpDir } from "../helpers/audio.js";

let ff: Ffmpeg;
let dir: TmpDir;
/** Five minutes of 48 kHz stereo: ~0.3 s of work for ffmpeg, long enough to be caught mid-way. */
let long: string;

beforeAll(async () => {
  const found = await findFfmpeg();
  if (!found) throw new Error("these tests need ffmpeg and ffprobe on the PATH");
  ff = found;
  dir = await tmpDir("media-life");
  long = await makeAudio(dir.path, { format: "wav", seconds: 300, sampleRate: 48_000, name: "long.wav" });
});
afterAll(() => dir.cleanup());

/** Resolves with the pids of the ffmpeg writing `dst`, as soon as it runs. */
async function ffmpegWriting(dst: string): Promise<number[]> {
  for (let i = 0; i < 2000; i++) {
    const pids = await processesMentioning(dst);
    if (pids.length > 0) return pids;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error("ffmpeg never started");
}

describe("abort", () => {
  it("kills ffmpeg mid-conversion, removes the output and rejects with the signal's reason", async () => {
    const dst = `${dir.path}/aborted.wav`;
    // The source is a FIFO fed a part of the file and held open, so ffmpeg is surely still working at the abort
    // (a whole file converts in a fraction of a second and could finish first on an idle machine).
    const fifo = `${dir.path}/slow.fifo`;
    execFileSync("mkfifo", [fifo]);
    const ac = new AbortController();
    const conversion = convertToWav(ff, fifo, dst, { bitDepth: 24, signal: ac.signal });
    const writer = createWriteStream(fifo);
    writer.on("error", () => undefined);
    writer.write(readFileSync(long).subarray(0, 4 << 20));
    const pids = await ffmpegWriting(dst);
    const reason = new Error("lease lost");
    ac.abort(reason);
    await expect(conversion).rejects.toBe(reason);
    expect(existsSync(dst)).toBe(false);
    expect(await processesMentioning(dst)).toEqual([]);
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
    writer.destroy();
  });

  it("an already aborted signal starts nothing", async () => {
    const dst = `${dir.path}/never.wav`;
    const ac = new AbortController();
    ac.abort();
    await expect(convertToWav(ff, long, dst, { bitDepth: 16, signal: ac.signal })).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(existsSync(dst)).toBe(false);
  });

  it("timeoutMs kills ffmpeg: HooklineError timeout, output removed", async () => {
    const dst = `${dir.path}/slow.wav`;
    const err = await convertToWav(ff, long, dst, { bitDepth: 24, timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HooklineError);
    expect(err).toMatchObject({ code: "timeout" });
    expect(existsSync(dst)).toBe(false);
    expect(await processesMentioning(dst)).toEqual([]);
  });
});

describe("maxDurationS", () => {
  it("refuses a longer source with payload_too_large and leaves no output", async () => {
    const src = await makeAudio(dir.path, { format: "mp3", seconds: 3, name: "three.mp3" });
    const dst = `${src}.wav`;
    const err = await convertToWav(ff, src, dst, { bitDepth: 16, maxDurationS: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "payload_too_large" });
    expect((err as Error).message).toMatch(/longer than the 1 s limit/);
    expect(existsSync(dst)).toBe(false);
  });

  it("refuses a longer source that states no duration (browser WebM) once decoding passes the limit", async () => {
    const src = await makeAudio(dir.path, { format: "webm", seconds: 3, streamed: true, name: "rec.webm" });
    const dst = `${src}.wav`;
    const err = await convertToWav(ff, src, dst, { bitDepth: 16, maxDurationS: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "payload_too_large" });
    expect(existsSync(dst)).toBe(false);
  });

  it("accepts a source at the limit, its encoder padding included", async () => {
    const src = await makeAudio(dir.path, { format: "m4a", seconds: 2, name: "two.m4a" });
    const result = await convertToWav(ff, src, `${src}.wav`, { bitDepth: 16, maxDurationS: 2 });
    expect(result.durationS).toBeGreaterThanOrEqual(2);
    expect(result.durationS).toBeLessThan(2 + DURATION_SLACK_S);
    const rec = await makeAudio(dir.path, { format: "webm", seconds: 2, streamed: true, name: "rec2.webm" });
    expect(
      (await convertToWav(ff, rec, `${rec}.wav`, { bitDepth: 16, maxDurationS: 2 })).durationS,
    ).toBeCloseTo(2, 2);
  });
});

it("memory does not follow the track's length: 5 minutes (55 MB in, 83 MB out) leave the heap flat", async () => {
  const dst = `${dir.path}/flat.wav`;
  const before = process.memoryUsage();
  const result = await convertToWav(ff, long, dst, { bitDepth: 24 });
  const after = process.memoryUsage();
  expect(result.durationS).toBe(300);
  expect((await readWavInfo(dst)).dataBytes).toBe(300 * 48_000 * 2 * 3);
  const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  expect(grown).toBeLessThan(8 << 20);
});
