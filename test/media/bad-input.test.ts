import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HooklineError } from "../../src/lib/errors.js";
import { convertToWav, type Ffmpeg, findFfmpeg, probeAudio, readWavInfo } from "../../src/media/index.js";
import { makeAudio, makeRandomBytes, makeTruncated, run, type TmpDir, tmpDir } from "../helpers/audio.js";

let ff: Ffmpeg;
let dir: TmpDir;

beforeAll(async () => {
  const found = await findFfmpeg();
  if (!found) throw new Error("these tests need ffmpeg and ffprobe on the PATH");
  ff = found;
  dir = await tmpDir("media-bad");
});
afterAll(() => dir.cleanup());

/** Converts and returns the HooklineError it must end with; also checks that no output was left. */
async function failedConversion(src: string): Promise<HooklineError> {
  const dst = `${src}.out.wav`;
  const err = await convertToWav(ff, src, dst, { bitDepth: 16 }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HooklineError);
  expect(existsSync(dst)).toBe(false);
  return err as HooklineError;
}

/** A message a user may read: says something, and names no server path. */
function expectCleanMessage(message: string): void {
  expect(message.length).toBeGreaterThan(10);
  expect(message).not.toContain(dir.path);
  expect(message).not.toMatch(/\/tmp\b|file:\/|<file>|0x[0-9a-f]{6,}/);
}

describe("random bytes", () => {
  it("probe says other, with a reason and a sniffed type", async () => {
    const src = await makeRandomBytes(dir.path, 100_000);
    const probe = await probeAudio(ff, src);
    expect(probe).toMatchObject({ kind: "other", mimeType: "application/octet-stream" });
    if (probe.kind === "other") expectCleanMessage(probe.reason);
  });

  it("conversion ends with unsupported_media and a clear message", async () => {
    const err = await failedConversion(await makeRandomBytes(dir.path, 100_000, "noise.bin"));
    expect(err.code).toBe("unsupported_media");
    // Noise is usually "Invalid data…"; now and then a demuxer outside the allow-list (dv, …) claims it.
    expect(err.message).toMatch(/Invalid data found when processing input|unsupported container format/);
    expectCleanMessage(err.message);
  });

  it("named .mp3 they are still refused", async () => {
    const src = await makeRandomBytes(dir.path, 100_000, "noise.mp3");
    const probe = await probeAudio(ff, src);
    expect(probe.kind).toBe("other");
    const err = await failedConversion(src);
    expect(err.code).toBe("unsupported_media");
    expectCleanMessage(err.message);
  });
});

it("a text file named .mp3 is not audio", async () => {
  const src = join(dir.path, "lyrics.mp3");
  await writeFile(src, "Verse 1\nThis is not a song, only its words.\n".repeat(40));
  const probe = await probeAudio(ff, src);
  expect(probe).toMatchObject({ kind: "other", mimeType: "text/plain" });
  const err = await failedConversion(src);
  expect(err.code).toBe("unsupported_media");
  expectCleanMessage(err.message);
});

it("an empty file is not audio", async () => {
  const src = join(dir.path, "empty.wav");
  await writeFile(src, "");
  expect((await probeAudio(ff, src)).kind).toBe("other");
  expect((await failedConversion(src)).code).toBe("unsupported_media");
});

it("a PNG is refused by container, not decoded", async () => {
  const src = join(dir.path, "cover.png");
  await writeFile(src, Buffer.from(PNG_1X1, "base64"));
  const probe = await probeAudio(ff, src);
  expect(probe).toMatchObject({ kind: "other", mimeType: "image/png" });
  if (probe.kind === "other") expect(probe.reason).toMatch(/unsupported container format "png_pipe"/);
  expect((await failedConversion(src)).code).toBe("unsupported_media");
});

describe("truncated files", () => {
  it("an MP3 cut at 30% decodes the part present: success, shorter duration", async () => {
    const full = await makeAudio(dir.path, { format: "mp3", seconds: 4, name: "whole.mp3" });
    const cut = await makeTruncated(full, dir.path, 0.3);
    const probe = await probeAudio(ff, cut);
    expect(probe.kind).toBe("audio");
    const result = await convertToWav(ff, cut, `${cut}.wav`, { bitDepth: 16 });
    expect(result.durationS).toBeGreaterThan(4 * 0.2);
    expect(result.durationS).toBeLessThan(4 * 0.4);
    expect((await readWavInfo(`${cut}.wav`)).frames).toBe(Math.round(result.durationS * 44_100));
  });

  it("an MP3 with 2 KB of garbage in the middle still converts in full (damage is skipped, not fatal)", async () => {
    const src = await makeAudio(dir.path, { format: "mp3", seconds: 4, name: "glitch.mp3" });
    const fh = await open(src, "r+");
    await fh.write(randomBytes(2048), 0, 2048, 30_000);
    await fh.close();
    const result = await convertToWav(ff, src, `${src}.wav`, { bitDepth: 16 });
    // The damaged frames (2 KB at 128 kb/s ≈ 0.13 s) are dropped, the rest is kept.
    expect(result.durationS).toBeGreaterThan(3.7);
    expect(result.durationS).toBeLessThanOrEqual(4.01);
  });

  it("a FLAC cut at 50% decodes the part present", async () => {
    const full = await makeAudio(dir.path, { format: "flac", seconds: 4, name: "whole.flac" });
    const cut = await makeTruncated(full, dir.path, 0.5);
    const result = await convertToWav(ff, cut, `${cut}.wav`, { bitDepth: 16 });
    expect(result.durationS).toBeGreaterThan(1);
    expect(result.durationS).toBeLessThan(3);
  });

  it("an M4A cut before its index (moov at the end) is unsupported_media", async () => {
    const full = await makeAudio(dir.path, { format: "m4a", seconds: 4, name: "whole.m4a" });
    const cut = await makeTruncated(full, dir.path, 0.5);
    const probe = await probeAudio(ff, cut);
    expect(probe.kind).toBe("other");
    if (probe.kind === "other") expect(probe.reason).toMatch(/moov atom not found/);
    const err = await failedConversion(cut);
    expect(err.code).toBe("unsupported_media");
    expect(err.message).toMatch(/moov atom not found/);
    expectCleanMessage(err.message);
  });
});

it("a missing source is source_unavailable, for probe and conversion", async () => {
  const src = join(dir.path, "gone.mp3");
  await expect(probeAudio(ff, src)).rejects.toMatchObject({ code: "source_unavailable" });
  const err = await failedConversion(src);
  expect(err.code).toBe("source_unavailable");
  expectCleanMessage(err.message);
});

it("an output folder that does not exist is conversion_failed, without the path", async () => {
  const src = await makeAudio(dir.path, { format: "wav", seconds: 1, name: "ok.wav" });
  const dst = join(dir.path, "no-such-folder", "out.wav");
  const err = await convertToWav(ff, src, dst, { bitDepth: 16 }).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: "conversion_failed" });
  expectCleanMessage((err as Error).message);
});

it("a file renamed to another audio extension is probed by content", async () => {
  const ogg = await makeAudio(dir.path, { format: "ogg", seconds: 1, name: "real.ogg" });
  const disguised = join(dir.path, "disguised.mp3");
  await copyFile(ogg, disguised);
  expect(await probeAudio(ff, disguised)).toMatchObject({ kind: "audio", container: "ogg", codec: "vorbis" });
  expect((await convertToWav(ff, disguised, `${disguised}.wav`, { bitDepth: 16 })).durationS).toBeCloseTo(
    1,
    2,
  );
});

it("ffprobe that cannot run is an internal error, not 'not audio'", async () => {
  const src = await makeAudio(dir.path, { format: "wav", seconds: 1, name: "fine.wav" });
  const broken: Ffmpeg = { ...ff, ffprobe: join(dir.path, "no-ffprobe-here") };
  await expect(probeAudio(broken, src)).rejects.toMatchObject({ code: "internal" });
});

/** A 1×1 PNG. */
const PNG_1X1 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

describe("video files", () => {
  it("video without sound is refused: no audio stream", async () => {
    const src = join(dir.path, "silent-film.mp4");
    await run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=s=64x64:d=1", "-c:v", "libx264", src]);
    const probe = await probeAudio(ff, src);
    expect(probe).toMatchObject({ kind: "other", reason: "the file holds no audio stream" });
    const err = await failedConversion(src);
    expect(err).toMatchObject({ code: "unsupported_media", message: "the file holds no audio stream" });
  });

  it("video with sound converts its first audio stream only", async () => {
    const src = join(dir.path, "clip.mp4");
    const lavfi = ["-f", "lavfi", "-i", "testsrc=s=64x64:d=1", "-f", "lavfi", "-i", "sine=f=500:r=32000:d=1"];
    await run("ffmpeg", ["-v", "error", ...lavfi, "-c:v", "libx264", "-c:a", "aac", "-shortest", src]);
    expect(await probeAudio(ff, src)).toMatchObject({
      kind: "audio",
      container: "mp4",
      codec: "aac",
      sampleRate: 32_000,
    });
    const result = await convertToWav(ff, src, `${src}.wav`, { bitDepth: 16 });
    expect(result).toMatchObject({ sampleRate: 32_000, channels: 1 });
    expect(result.durationS).toBeCloseTo(1, 1);
  });
});
