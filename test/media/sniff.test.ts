import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Ffmpeg, findFfmpeg, probeAudio, sniffMime } from "../../src/media/index.js";
import { type AudioFormat, makeAudio, makeRandomBytes, run, type TmpDir, tmpDir } from "../helpers/audio.js";

let ff: Ffmpeg;
let dir: TmpDir;

beforeAll(async () => {
  const found = await findFfmpeg();
  if (!found) throw new Error("these tests need ffmpeg and ffprobe on the PATH");
  ff = found;
  dir = await tmpDir("media-sniff");
});
afterAll(() => dir.cleanup());

const head = async (path: string): Promise<Uint8Array> => (await readFile(path)).subarray(0, 4096);
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

const EXPECTED: Record<AudioFormat, string> = {
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  flac: "audio/flac",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  webm: "audio/webm",
  wav: "audio/wav",
};

describe("sniffMime on generated audio", () => {
  for (const [format, mime] of Object.entries(EXPECTED) as Array<[AudioFormat, string]>) {
    it(`${format} → ${mime} (whatever the name says)`, async () => {
      const path = await makeAudio(dir.path, { format, seconds: 0.5, name: `clip-${format}` });
      expect(sniffMime(await head(path))).toBe(mime);
      expect(sniffMime(await head(path), "misleading.png")).toBe(mime);
    });
  }

  it("MP3 without an ID3 tag (frame sync) and ADTS AAC", async () => {
    const wav = await makeAudio(dir.path, { format: "wav", seconds: 0.5, name: "base.wav" });
    const mp3 = join(dir.path, "bare.mp3");
    const aac = join(dir.path, "stream.aac");
    await run("ffmpeg", [
      "-v",
      "error",
      "-i",
      wav,
      "-c:a",
      "libmp3lame",
      "-id3v2_version",
      "0",
      "-write_xing",
      "0",
      mp3,
    ]);
    await run("ffmpeg", ["-v", "error", "-i", wav, "-c:a", "aac", "-f", "adts", aac]);
    expect(sniffMime(await head(mp3))).toBe("audio/mpeg");
    expect(sniffMime(await head(aac))).toBe("audio/aac");
    // The ADTS stream is also a supported container for the probe.
    expect(await probeAudio(ff, aac)).toMatchObject({
      kind: "audio",
      container: "aac",
      codec: "aac",
      mimeType: "audio/aac",
    });
  });

  it("a Matroska (not WebM) file is audio/x-matroska", async () => {
    const wav = await makeAudio(dir.path, { format: "wav", seconds: 0.5, name: "base2.wav" });
    const mka = join(dir.path, "clip.mka");
    await run("ffmpeg", ["-v", "error", "-i", wav, "-c:a", "flac", "-f", "matroska", mka]);
    expect(sniffMime(await head(mka))).toBe("audio/x-matroska");
    expect(await probeAudio(ff, mka)).toMatchObject({ kind: "audio", container: "matroska", codec: "flac" });
  });
});

describe("sniffMime on other content", () => {
  it("images, PDF, ZIP", () => {
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
      "base64",
    );
    expect(sniffMime(png, "song.mp3")).toBe("image/png");
    expect(sniffMime(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10))).toBe("image/jpeg");
    expect(sniffMime(text("GIF89a\x01\x00"))).toBe("image/gif");
    expect(sniffMime(text("RIFF\x10\x00\x00\x00WEBPVP8 "))).toBe("image/webp");
    expect(sniffMime(text("%PDF-1.7\n"))).toBe("application/pdf");
    expect(sniffMime(bytes(0x50, 0x4b, 3, 4, 20, 0))).toBe("application/zip");
  });

  it("JSON and text fall back by content, the name only decides between text types", () => {
    expect(sniffMime(text('  {"a": 1}'))).toBe("application/json");
    expect(sniffMime(text("[1,2]"))).toBe("application/json");
    expect(sniffMime(text("a,b\n1,2\n"), "data.csv")).toBe("text/csv");
    expect(sniffMime(text("just words, ünïcödé\n"), "notes.txt")).toBe("text/plain");
    expect(sniffMime(text("#EXTM3U\n#EXTINF:1,\nx.mp3\n"))).toBe("application/vnd.apple.mpegurl");
    // A multi-byte character cut at the end of the sample is still text.
    expect(sniffMime(text("déjà vu é").subarray(0, -1))).toBe("text/plain");
  });

  it("binary noise and empty input are application/octet-stream", async () => {
    expect(sniffMime(await head(await makeRandomBytes(dir.path, 4096)))).toBe("application/octet-stream");
    expect(sniffMime(new Uint8Array(0))).toBe("application/octet-stream");
    expect(sniffMime(bytes(0, 1, 2, 3, 4))).toBe("application/octet-stream");
  });

  it("bare frame headers: valid MP3 and ADTS accepted, reserved values refused", () => {
    expect(sniffMime(bytes(0xff, 0xfb, 0x90, 0x64))).toBe("audio/mpeg");
    expect(sniffMime(bytes(0xff, 0xf1, 0x50, 0x80))).toBe("audio/aac");
    expect(sniffMime(bytes(0xff, 0xfb, 0xf0, 0x64))).toBe("application/octet-stream"); // bitrate index 15
    expect(sniffMime(bytes(0xff, 0xfb, 0x9c, 0x64))).toBe("application/octet-stream"); // sample rate index 3
  });
});
