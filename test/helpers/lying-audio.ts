/**
 * Audio whose header tells less than the truth, and long audio made cheaply, by the system's ffmpeg.
 *
 * An MP3 without a Xing header states no length: demuxers estimate it from the file's size and the first
 * frame's bit rate. Cat a short high-rate MP3 before a long low-rate one and the estimate is far too short
 * (issue 9, finding 7). MP3 frames stand alone, so cat'ing copies of one file also makes a long MP3 in an
 * instant, where encoding it would take seconds per hour.
 */
import { open, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./audio.js";

/** A stereo 44.1 kHz CBR MP3 of a sine, with no ID3 tag and no Xing header (so copies can be joined). */
async function bareMp3(path: string, seconds: number, kbps: number, hz: number): Promise<string> {
  const signal = `sine=f=${hz}:r=44100:d=${seconds}`;
  const tags = ["-write_xing", "0", "-id3v2_version", "0", "-fflags", "+bitexact"];
  const args = ["-nostdin", "-v", "error", "-f", "lavfi", "-i", signal, "-ac", "2", "-c:a", "libmp3lame"];
  await run("ffmpeg", [...args, "-b:a", `${kbps}k`, ...tags, "-f", "mp3", "-y", path]);
  return path;
}

/** Writes the parts one after the other to `path`; `copies` times each. */
async function cat(path: string, parts: readonly string[], copies = 1): Promise<void> {
  const fh = await open(path, "w");
  try {
    for (const part of parts) {
      const bytes = await readFile(part);
      for (let i = 0; i < copies; i++) await fh.write(bytes);
    }
  } finally {
    await fh.close();
  }
}

/**
 * An MP3 whose probed duration is about `claimedS` while it plays about `realS` (at most 10× more: 320 kb/s
 * against 32 kb/s). Returns the path, the length a probe estimates from its size, and the length it plays.
 */
export async function makeLyingMp3(
  dir: string,
  opts: { claimedS: number; realS: number; name?: string },
): Promise<{ path: string; claimedS: number; realS: number }> {
  // claimed = (40 000·head + 4 000·tail) / 40 000 bytes per second; real = head + tail. The head stays at
  // 2 s or more: the demuxer takes its bit rate from the first frames, which must all be the fast ones.
  const headS = Math.max(2, Math.round((10 * opts.claimedS - opts.realS) / 9));
  const tailS = Math.round(opts.realS - headS);
  if (tailS <= 0) throw new Error("makeLyingMp3: realS must exceed claimedS");
  const head = await bareMp3(join(dir, "lie-head.mp3"), headS, 320, 440);
  const tail = await bareMp3(join(dir, "lie-tail.mp3"), tailS, 32, 330);
  const path = join(dir, opts.name ?? "lying.mp3");
  await cat(path, [head, tail]);
  await Promise.all([rm(head), rm(tail)]);
  const { size } = await stat(path);
  return { path, claimedS: size / 40_000, realS: headS + tailS };
}

/** A 32 kb/s stereo MP3 of `minutes` minutes (whole minutes), made of copies of one minute. */
export async function makeLongMp3(dir: string, minutes: number, name = "long.mp3"): Promise<string> {
  const minute = await bareMp3(join(dir, "minute.mp3"), 60, 32, 523);
  const path = join(dir, name);
  await cat(path, [minute], minutes);
  await rm(minute);
  return path;
}
