/**
 * Making the synthetic voice recordings of the evaluation: espeak-ng speaks, then a degradation is applied
 * (noise, gain, resampling, lossy codecs). All of it with the system's tools and a seeded generator, so a run
 * can be repeated.
 */
import { execFile } from "node:child_process";
import { readFile, rename, writeFile } from "node:fs/promises";

/** A seeded generator (mulberry32): the same seed, the same set. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function run(bin: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { maxBuffer: 64 << 20 }, (err, _out, stderr) => {
      if (err) reject(new Error(`${bin} ${args.join(" ")} failed: ${stderr}`));
      else resolve();
    });
  });
}

/** espeak-ng speaking `text` as `voice` (e.g. "en+m3") at pitch 0–99 and speed in words per minute. */
export async function speak(voice: string, text: string, pitch: number, speed: number, out: string) {
  await run("espeak-ng", ["-v", voice, "-p", String(pitch), "-s", String(speed), "-w", out, text]);
}

/** 16-bit mono PCM of a WAV file (any chunk order), with its rate. */
export async function readWav(path: string): Promise<{ rate: number; samples: Float32Array }> {
  const buf = await readFile(path);
  let rate = 0;
  for (let at = 12; at + 8 <= buf.length; ) {
    const id = buf.toString("ascii", at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    if (id === "fmt ") rate = buf.readUInt32LE(at + 12);
    if (id === "data") {
      const end = Math.min(buf.length, at + 8 + size);
      const n = Math.floor((end - at - 8) / 2);
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = buf.readInt16LE(at + 8 + 2 * i) / 32768;
      return { rate, samples };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error(`no data chunk in ${path}`);
}

export async function writeWav(path: string, rate: number, samples: Float32Array) {
  const buf = Buffer.alloc(44 + samples.length * 2);
  buf.write("RIFF", 0, "ascii");
  buf.writeUInt32LE(36 + samples.length * 2, 4);
  buf.write("WAVEfmt ", 8, "ascii");
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write("data", 36, "ascii");
  buf.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) {
    buf.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32767))), 44 + 2 * i);
  }
  await writeFile(`${path}.part`, buf);
  await rename(`${path}.part`, path);
}

/** RMS of the active part (20 ms blocks above -50 dBFS): the level noise is set against. */
export function activeRms(x: Float32Array, rate: number): number {
  const block = Math.round(rate / 50);
  let sum = 0;
  let n = 0;
  for (let i = 0; i + block <= x.length; i += block) {
    let s = 0;
    for (let j = i; j < i + block; j++) s += x[j]! * x[j]!;
    if (s / block > 1e-5) {
      sum += s;
      n += block;
    }
  }
  return Math.sqrt(sum / Math.max(n, 1));
}

/** Adds white or pink noise (Kellett's filter) at `snrDb` below the active speech level. */
export function addNoise(
  x: Float32Array,
  rate: number,
  snrDb: number,
  colour: "white" | "pink",
  rnd: () => number,
) {
  const noise = new Float32Array(x.length);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  for (let i = 0; i < x.length; i++) {
    const w = rnd() * 2 - 1;
    if (colour === "white") noise[i] = w;
    else {
      b0 = 0.99765 * b0 + w * 0.099046;
      b1 = 0.963 * b1 + w * 0.2965164;
      b2 = 0.57 * b2 + w * 1.0526913;
      noise[i] = b0 + b1 + b2 + w * 0.1848;
    }
  }
  let ns = 0;
  for (const v of noise) ns += v * v;
  const gain = activeRms(x, rate) / 10 ** (snrDb / 20) / Math.sqrt(ns / noise.length);
  return x.map((v, i) => v + gain * noise[i]!);
}

/** The degradations of the evaluation set. */
export const DEGRADATIONS = [
  "clean",
  "white-noise-20dB",
  "pink-noise-15dB",
  "gain-minus-20dB",
  "resampled-8kHz",
  "mp3-32k",
  "webm-opus-24k",
  "m4a-aac-64k",
] as const;
export type Degradation = (typeof DEGRADATIONS)[number];

/** Writes `src` (a WAV) degraded as named; returns the path written (its extension follows the format). */
export async function degrade(
  src: string,
  kind: Degradation,
  outBase: string,
  rnd: () => number,
): Promise<string> {
  const ff = (args: string[], ext: string) =>
    run("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", src, ...args, `${outBase}.${ext}`]).then(
      () => `${outBase}.${ext}`,
    );
  switch (kind) {
    case "clean":
      return ff(["-c:a", "pcm_s16le"], "wav");
    case "white-noise-20dB":
    case "pink-noise-15dB":
    case "gain-minus-20dB": {
      const { rate, samples } = await readWav(src);
      const out =
        kind === "gain-minus-20dB"
          ? samples.map((v) => v * 0.1)
          : kind === "white-noise-20dB"
            ? addNoise(samples, rate, 20, "white", rnd)
            : addNoise(samples, rate, 15, "pink", rnd);
      await writeWav(`${outBase}.wav`, rate, out);
      return `${outBase}.wav`;
    }
    case "resampled-8kHz":
      return ff(["-ar", "8000", "-c:a", "pcm_s16le"], "wav");
    case "mp3-32k":
      return ff(["-c:a", "libmp3lame", "-b:a", "32k"], "mp3");
    case "webm-opus-24k":
      return ff(["-c:a", "libopus", "-b:a", "24k", "-f", "webm"], "webm");
    case "m4a-aac-64k":
      return ff(["-c:a", "aac", "-b:a", "64k", "-f", "mp4"], "m4a");
  }
}
