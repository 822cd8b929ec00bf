/**
 * Long audio made cheaply by the system's ffmpeg: MP3 frames stand alone, so cat'ing copies of one file
 * without a tag or Xing header makes a long MP3 in an instant, where encoding it would take seconds per hour.
 */
import { open, readFile, rm } from "node:fs/promises";
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

/** A 32 kb/s stereo MP3 of `minutes` minutes (whole minutes), made of copies of one minute. */
export async function makeLongMp3(dir: string, minutes: number, name = "long.mp3"): Promise<string> {
  const minute = await bareMp3(join(dir, "minute.mp3"), 60, 32, 523);
  const path = join(dir, name);
  await cat(path, [minute], minutes);
  await rm(minute);
  return path;
}
