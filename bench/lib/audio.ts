import { execFile } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BENCH_DIR, note } from "./report.js";

/** The source formats the WAV benchmark converts. */
export type BenchFormat = "mp3" | "flac";

const ENCODERS: Readonly<Record<BenchFormat, readonly string[]>> = {
  // 192 kb/s CBR: what music services commonly hand out.
  mp3: ["-c:a", "libmp3lame", "-b:a", "192k", "-f", "mp3"],
  flac: ["-c:a", "flac", "-sample_fmt", "s16", "-f", "flac"],
};

/**
 * A music-like stereo signal at 44.1 kHz, so that decoders and FLAC's predictor work as on real songs rather
 * than on a pure tone: a triad with slow vibrato and a 2 Hz pulse, a pulsing bass, pink-noise "hi-hats" per
 * channel (different seeds) and an echo on one side. FLAC keeps about 70 % of the PCM size, as on real music.
 */
function musicGraph(seconds: number): string {
  const src = `r=44100:d=${seconds}`;
  return [
    `sine=f=220:${src}[s1]`,
    `sine=f=277.18:${src}[s2]`,
    `sine=f=329.63:${src}[s3]`,
    `sine=f=55:${src}[s4]`,
    `anoisesrc=color=pink:amplitude=0.3:seed=1:${src}[n1]`,
    `anoisesrc=color=pink:amplitude=0.3:seed=2:${src}[n2]`,
    "[s1][s2][s3]amix=inputs=3:normalize=0,vibrato=f=0.3:d=0.3,tremolo=f=2:d=0.7,asplit[cl][cr]",
    "[s4]volume=2,tremolo=f=1:d=0.9,asplit[bl][br]",
    "[n1]tremolo=f=4:d=0.9[hl]",
    "[n2]tremolo=f=4:d=0.9[hr]",
    "[cl][bl][hl]amix=inputs=3:normalize=0,volume=0.8[L]",
    "[cr]aecho=0.8:0.7:40:0.3[ce]",
    "[ce][br][hr]amix=inputs=3:normalize=0,volume=0.8[R]",
    "[L][R]join=inputs=2:channel_layout=stereo[out]",
  ].join(";");
}

function ffmpeg(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("ffmpeg", args, { maxBuffer: 1 << 20 }, (err, _out, stderr) =>
      err ? reject(new Error(`ffmpeg failed: ${err.message}\n${stderr}`)) : resolve(),
    );
  });
}

/**
 * The cached benchmark input `.bench-data/audio/music-<minutes>min.<format>`, generated on first use (the
 * 30-minute MP3 takes about a minute to encode). Written under a temp name and renamed, so an interrupted
 * run never leaves a truncated file behind to be reused.
 */
export async function benchAudio(format: BenchFormat, minutes: number): Promise<string> {
  const dir = join(BENCH_DIR, "audio");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `music-${minutes}min.${format}`);
  if (existsSync(path)) return path;
  note(`generating ${path} (once; cached for later runs)`);
  const tmp = `${path}.part`;
  rmSync(tmp, { force: true });
  const graph = musicGraph(Math.round(minutes * 60));
  await ffmpeg([
    "-nostdin",
    "-v",
    "error",
    "-filter_complex",
    graph,
    "-map",
    "[out]",
    ...ENCODERS[format],
    "-y",
    tmp,
  ]);
  renameSync(tmp, path);
  return path;
}
