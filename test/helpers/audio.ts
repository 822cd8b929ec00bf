/**
 * Real test audio, made by the system's ffmpeg into temporary folders (no fixtures in the repo).
 *
 * The signal is not silent, so sample comparisons mean something: each channel is two sines of its own
 * (channel c: 220·(c+2) Hz and 1.5× that + 37 Hz, amplitude 1/8 each) plus a little seeded white noise
 * (amplitude 0.02). Generation is deterministic: the same options give the same samples.
 *
 * Encoders per format:
 * | format | container        | encoder    | notes                                                    |
 * |--------|------------------|------------|----------------------------------------------------------|
 * | mp3    | MP3              | libmp3lame | 128 kb/s CBR, LAME gapless header (8–48 kHz only)         |
 * | flac   | FLAC             | flac       | 16-bit, lossless: decodes bit-exactly to the "wav" samples |
 * | ogg    | Ogg              | libvorbis  | quality 4                                                |
 * | opus   | Ogg (.opus)      | libopus    | 96 kb/s; decoders always output 48 kHz                    |
 * | m4a    | MP4 (.m4a)       | aac        | ffmpeg's native AAC, 128 kb/s                            |
 * | webm   | WebM (Matroska)  | libopus    | like a browser recording; `streamed` leaves out the duration |
 * | wav    | RIFF WAV         | pcm_s16le  | the reference samples                                     |
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

/** The formats {@link makeAudio} writes. */
export type AudioFormat = "mp3" | "flac" | "ogg" | "opus" | "m4a" | "webm" | "wav";

/** Every format, for tests that loop over them. */
export const AUDIO_FORMATS: readonly AudioFormat[] = ["mp3", "m4a", "flac", "ogg", "opus", "webm", "wav"];

const ENCODERS: Readonly<Record<AudioFormat, { ext: string; args: readonly string[] }>> = {
  mp3: { ext: "mp3", args: ["-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3"] },
  flac: { ext: "flac", args: ["-c:a", "flac", "-sample_fmt", "s16", "-f", "flac"] },
  ogg: { ext: "ogg", args: ["-c:a", "libvorbis", "-q:a", "4", "-f", "ogg"] },
  opus: { ext: "opus", args: ["-c:a", "libopus", "-b:a", "96k", "-f", "ogg"] },
  m4a: { ext: "m4a", args: ["-c:a", "aac", "-b:a", "128k", "-f", "mp4"] },
  webm: { ext: "webm", args: ["-c:a", "libopus", "-b:a", "96k", "-f", "webm"] },
  wav: { ext: "wav", args: ["-c:a", "pcm_s16le", "-f", "wav"] },
};

const LAYOUTS = ["mono", "stereo", "3.0", "quad", "5.0", "5.1", "6.1", "7.1"];

/** A temporary folder and the way to remove it. */
export interface TmpDir {
  path: string;
  cleanup(): Promise<void>;
}

/** Makes a fresh folder under the OS temp dir; call `cleanup()` in afterAll. */
export async function tmpDir(prefix = "test"): Promise<TmpDir> {
  const path = await mkdtemp(join(tmpdir(), `hookline-${prefix}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Runs ffmpeg (or another tool) with an argument array; rejects with its stderr on failure. */
export function run(bin: string, args: readonly string[], maxBuffer = 512 << 20): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { encoding: "buffer", maxBuffer }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} failed: ${err.message}\n${stderr.toString("utf8")}`));
      else resolve(stdout);
    });
  });
}

/** The lavfi graph for the test signal: per channel two sines plus seeded noise, joined to a layout. */
function signalGraph(seconds: number, rate: number, channels: number): string {
  const parts: string[] = [];
  const outs: string[] = [];
  for (let c = 0; c < channels; c++) {
    const f1 = 220 * (c + 2);
    const f2 = f1 * 1.5 + 37;
    const src = `r=${rate}:d=${seconds}`;
    parts.push(
      `sine=f=${f1}:${src}[a${c}]`,
      `sine=f=${f2}:${src}[b${c}]`,
      `anoisesrc=${src}:a=0.02:seed=${c + 1}[n${c}]`,
      `[a${c}][b${c}][n${c}]amix=inputs=3:normalize=0[c${c}]`,
    );
    outs.push(`[c${c}]`);
  }
  const layout = LAYOUTS[channels - 1];
  if (layout === undefined) throw new Error(`makeAudio: 1 to 8 channels, not ${channels}`);
  parts.push(
    channels === 1
      ? "[c0]anull[out]"
      : `${outs.join("")}join=inputs=${channels}:channel_layout=${layout}[out]`,
  );
  return parts.join(";");
}

/** Options for {@link makeAudio}. */
export interface MakeAudioOptions {
  format: AudioFormat;
  seconds: number;
  /** Default 44100. Opus files always decode at 48 kHz whatever this is. */
  sampleRate?: number;
  /** Default 2 (1 to 8). */
  channels?: number;
  /** File name; default `<format>-<rate>-<channels>ch-<seconds>s.<ext>`. */
  name?: string;
  /** Write through a pipe, so that the container cannot seek back to store its duration (browser-like). */
  streamed?: boolean;
}

/** Generates a real audio file; returns its path. */
export async function makeAudio(dir: string, opts: MakeAudioOptions): Promise<string> {
  const rate = opts.sampleRate ?? 44_100;
  const channels = opts.channels ?? 2;
  const enc = ENCODERS[opts.format];
  const path = join(dir, opts.name ?? `${opts.format}-${rate}-${channels}ch-${opts.seconds}s.${enc.ext}`);
  const head = [
    "-nostdin",
    "-hide_banner",
    "-v",
    "error",
    "-filter_complex",
    signalGraph(opts.seconds, rate, channels),
  ];
  const args = [...head, "-map", "[out]", "-fflags", "+bitexact", ...enc.args];
  if (!opts.streamed) {
    await run("ffmpeg", [...args, "-y", path]);
    return path;
  }
  // ffmpeg's pipe: protocol never seeks, even when the descriptor is a file: no duration gets written.
  const fd = openSync(path, "w");
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn("ffmpeg", [...args, "pipe:1"], { stdio: ["ignore", fd, "pipe"] });
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
      });
      child.once("error", reject);
      child.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg failed: ${stderr}`))));
    });
  } finally {
    closeSync(fd);
  }
  return path;
}

/** Writes `n` random bytes to `dir/name` (default `random.bin`); returns the path. */
export async function makeRandomBytes(dir: string, n: number, name = "random.bin"): Promise<string> {
  const path = join(dir, name);
  const fh = await open(path, "w");
  try {
    for (let left = n; left > 0; left -= 1 << 20) await fh.write(randomBytes(Math.min(left, 1 << 20)));
  } finally {
    await fh.close();
  }
  return path;
}

/** Copies the first `fraction` (0–1) of a file to `dir/truncated-<name>`; returns the new path. */
export async function makeTruncated(srcPath: string, dir: string, fraction: number): Promise<string> {
  const { size } = await stat(srcPath);
  const keep = Math.floor(size * fraction);
  const path = join(dir, `truncated-${basename(srcPath)}`);
  const fh = await open(srcPath, "r");
  try {
    const buf = Buffer.alloc(keep);
    await fh.read(buf, 0, keep, 0);
    await writeFile(path, buf);
  } finally {
    await fh.close();
  }
  return path;
}

/**
 * The reference decode: ffmpeg's own decode of the first audio stream to raw interleaved PCM, at the
 * source's rate and channels (e.g. "s16le", "s24le", "f32le"). For short files only: it is all in memory.
 */
export function decodeRaw(
  path: string,
  sampleFormat: "s16le" | "s24le" | "f32le" = "s16le",
): Promise<Buffer> {
  const args = ["-nostdin", "-v", "error", "-i", path, "-map", "0:a:0", "-c:a", `pcm_${sampleFormat}`];
  return run("ffmpeg", [...args, "-f", sampleFormat, "pipe:1"]);
}

/** The sample data of a WAV file: the last `dataBytes` bytes (ffmpeg writes `data` as the last chunk). */
export async function wavData(path: string, dataBytes: number): Promise<Buffer> {
  const all = await readFile(path);
  return all.subarray(all.length - dataBytes);
}

/** Pids of running processes whose command line contains `text` (Linux /proc); for "was it killed?" checks. */
export async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8");
      const status = await readFile(`/proc/${entry}/status`, "utf8");
      // A zombie has exited; it is only waiting for its parent to reap it.
      if (cmdline.includes(text) && !/^State:\s+Z/m.test(status)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
