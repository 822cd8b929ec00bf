import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertToWav, type Ffmpeg, findFfmpeg, probeAudio, readWavInfo } from "../../src/media/index.js";
import {
  type AudioFormat,
  decodeRaw,
  makeAudio,
  run,
  type TmpDir,
  tmpDir,
  wavData,
} from "../helpers/audio.js";

/** Each format with its own rate and channel count, so that "kept" is checked, not assumed. */
const CASES: ReadonlyArray<{
  format: AudioFormat;
  sampleRate: number;
  channels: number;
  container: string;
  codec: string;
  mime: string;
  /** Opus always decodes at 48 kHz, whatever rate went into the encoder. */
  decodedRate?: number;
  lossless?: boolean;
}> = [
  { format: "mp3", sampleRate: 44_100, channels: 2, container: "mp3", codec: "mp3", mime: "audio/mpeg" },
  { format: "m4a", sampleRate: 48_000, channels: 1, container: "mp4", codec: "aac", mime: "audio/mp4" },
  {
    format: "flac",
    sampleRate: 96_000,
    channels: 2,
    container: "flac",
    codec: "flac",
    mime: "audio/flac",
    lossless: true,
  },
  { format: "ogg", sampleRate: 22_050, channels: 1, container: "ogg", codec: "vorbis", mime: "audio/ogg" },
  {
    format: "opus",
    sampleRate: 24_000,
    channels: 2,
    container: "ogg",
    codec: "opus",
    mime: "audio/ogg",
    decodedRate: 48_000,
  },
  { format: "webm", sampleRate: 48_000, channels: 1, container: "webm", codec: "opus", mime: "audio/webm" },
  {
    format: "wav",
    sampleRate: 16_000,
    channels: 2,
    container: "wav",
    codec: "pcm_s16le",
    mime: "audio/wav",
    lossless: true,
  },
  {
    format: "flac",
    sampleRate: 48_000,
    channels: 6,
    container: "flac",
    codec: "flac",
    mime: "audio/flac",
    lossless: true,
  },
];

const SECONDS = 2;
/** Codec tolerance: 50 ms plus the encoder's padding (AAC adds up to one 1024-sample frame, ~21 ms at 48 kHz). */
const DURATION_TOLERANCE_S = 0.075;

let ff: Ffmpeg;
let dir: TmpDir;

beforeAll(async () => {
  const found = await findFfmpeg();
  if (!found) throw new Error("these tests need ffmpeg and ffprobe on the PATH");
  ff = found;
  dir = await tmpDir("media-convert");
});
afterAll(() => dir.cleanup());

describe.each(CASES)("$format at $sampleRate Hz, $channels ch", (c) => {
  const rate = c.decodedRate ?? c.sampleRate;
  let src: string;
  beforeAll(async () => {
    const name = `src-${c.sampleRate}-${c.channels}.${c.format === "opus" ? "opus" : c.format}`;
    src = await makeAudio(dir.path, {
      format: c.format,
      seconds: SECONDS,
      sampleRate: c.sampleRate,
      channels: c.channels,
      name,
    });
  });

  it("probes container, codec, rate, channels, duration and MIME type", async () => {
    const probe = await probeAudio(ff, src);
    expect(probe).toMatchObject({ kind: "audio", container: c.container, codec: c.codec, sampleRate: rate });
    expect(probe).toMatchObject({ channels: c.channels, mimeType: c.mime });
    if (probe.kind !== "audio") return;
    expect(Math.abs(probe.durationS - SECONDS)).toBeLessThan(DURATION_TOLERANCE_S);
    expect(probe.bitRate).toBeGreaterThan(0);
  });

  it("converts to a 16-bit WAV with the source's rate and channels and the reference samples", async () => {
    const dst = `${src}.16.wav`;
    const result = await convertToWav(ff, src, dst, { bitDepth: 16 });
    const info = await readWavInfo(dst);
    expect(info).toMatchObject({ format: 1, sampleRate: rate, channels: c.channels, bitDepth: 16 });
    expect(result).toMatchObject({
      sampleRate: rate,
      channels: c.channels,
      bitDepth: 16,
      durationS: info.durationS,
    });
    expect(Math.abs(result.durationS - SECONDS)).toBeLessThan(DURATION_TOLERANCE_S);
    // Header sizes are exact: the data chunk ends the file.
    expect(info.dataBytes).toBe(info.frames * c.channels * 2);
    expect(result.bytes).toBeGreaterThan(info.dataBytes);
    const samples = await wavData(dst, info.dataBytes);
    expect(samples.equals(await decodeRaw(src, "s16le"))).toBe(true);
    if (c.lossless) {
      // Bit-exact against the generator's own 16-bit samples.
      const ref = await makeAudio(dir.path, {
        format: "wav",
        seconds: SECONDS,
        sampleRate: c.sampleRate,
        channels: c.channels,
        name: `ref-${c.sampleRate}-${c.channels}.wav`,
      });
      const refInfo = await readWavInfo(ref);
      expect(samples.equals(await wavData(ref, refInfo.dataBytes))).toBe(true);
    }
  });

  it("converts to a 24-bit WAV when asked", async () => {
    const dst = `${src}.24.wav`;
    const result = await convertToWav(ff, src, dst, { bitDepth: 24 });
    const info = await readWavInfo(dst);
    expect(info).toMatchObject({ format: 1, sampleRate: rate, channels: c.channels, bitDepth: 24 });
    expect(result.bitDepth).toBe(24);
    expect(info.dataBytes).toBe(info.frames * c.channels * 3);
    const samples = await wavData(dst, info.dataBytes);
    expect(samples.equals(await decodeRaw(src, "s24le"))).toBe(true);
    if (c.lossless) {
      // A 16-bit source widens exactly: each 24-bit sample is the 16-bit one shifted left by 8.
      const s16 = await wavData(`${src}.16.wav`, (await readWavInfo(`${src}.16.wav`)).dataBytes);
      for (let i = 0; i < s16.length / 2; i += 97) {
        expect(samples.readIntLE(i * 3, 3)).toBe(s16.readInt16LE(i * 2) * 256);
      }
    }
  });
});

it("gives the same samples however often it runs (no leftover state, -y overwrites)", async () => {
  const src = await makeAudio(dir.path, { format: "mp3", seconds: 1, name: "again.mp3" });
  const dst = `${src}.wav`;
  const a = await convertToWav(ff, src, dst, { bitDepth: 16 });
  const first = await wavData(dst, (await readWavInfo(dst)).dataBytes);
  const b = await convertToWav(ff, src, dst, { bitDepth: 16 });
  expect(b).toEqual(a);
  expect((await wavData(dst, (await readWavInfo(dst)).dataBytes)).equals(first)).toBe(true);
});

it("a browser-style WebM without a stated duration gets its duration from a decode", async () => {
  const src = await makeAudio(dir.path, {
    format: "webm",
    seconds: 2,
    streamed: true,
    channels: 1,
    name: "rec.webm",
  });
  // The premise: the container really states no duration.
  const stated = await run("ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "format=duration",
    "-of",
    "csv=p=0",
    src,
  ]);
  expect(stated.toString().trim()).toBe("N/A");
  const probe = await probeAudio(ff, src);
  expect(probe).toMatchObject({
    kind: "audio",
    container: "webm",
    codec: "opus",
    sampleRate: 48_000,
    channels: 1,
  });
  if (probe.kind === "audio") expect(Math.abs(probe.durationS - SECONDS)).toBeLessThan(DURATION_TOLERANCE_S);
  const result = await convertToWav(ff, src, `${src}.wav`, { bitDepth: 16 });
  expect(Math.abs(result.durationS - SECONDS)).toBeLessThan(DURATION_TOLERANCE_S);
});
