/**
 * What the replay check costs at its largest: a 60 s take against a 60 s source segment (both limits of the
 * voice family). Speech made by espeak-ng, two voices per recording, cut to 60 s.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createStft, decodePcm, type Ffmpeg } from "../../src/media/index.js";
import { analyseRecording, createFingerprinter, FRAME, matchReplay } from "../../src/speech/index.js";
import { median, monoMs } from "./stats.js";
import { run, speak } from "./voice-audio.js";
import { CALIBRATION_TEXT } from "./voice-corpus.js";

async function minute(dir: string, name: string, voices: [string, string], text: readonly string[]) {
  const out = join(dir, `${name}.wav`);
  if (existsSync(out)) return out;
  const parts: string[] = [];
  for (const [i, voice] of voices.entries()) {
    const part = join(dir, `${name}-${i}.wav`);
    await speak(voice, text.join(" "), 50, 150, part);
    parts.push(part);
  }
  await writeFile(join(dir, `${name}.txt`), parts.map((p) => `file '${p}'`).join("\n"));
  await run("ffmpeg", [
    ...["-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", join(dir, `${name}.txt`)],
    ...["-t", "60", "-c:a", "pcm_s16le", out],
  ]);
  return out;
}

const timed = async (times: number, fn: () => unknown): Promise<number> => {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = monoMs();
    await fn();
    ms.push(monoMs() - start);
  }
  return median(ms);
};

/** Median milliseconds of each step, over a few runs, and the voiced seconds of the two recordings. */
export async function replayTiming(
  ff: Ffmpeg,
  dir: string,
): Promise<{ ms: Record<string, number>; voicedS: { source: number; take: number } }> {
  await mkdir(dir, { recursive: true });
  const source = await minute(dir, "source", ["it+m3", "it+f2"], CALIBRATION_TEXT.it!);
  const take = await minute(dir, "take", ["nl+m5", "nl+f4"], CALIBRATION_TEXT.nl!);
  const a = await analyseRecording(ff, source);
  const b = await analyseRecording(ff, take);
  const pcm: Float32Array[] = [];
  for await (const chunk of decodePcm(ff, source, { sampleRate: FRAME.sampleRate, channels: 1 })) {
    pcm.push(chunk.slice());
  }
  const spectra = (withFingerprint: boolean) => {
    const stft = createStft({ size: FRAME.size, hop: FRAME.hop });
    const fp = createFingerprinter(FRAME.size, FRAME.sampleRate);
    for (const chunk of pcm) stft.push(chunk, withFingerprint ? (p) => fp.push(p) : () => undefined);
  };
  const stftOnly = await timed(3, () => spectra(false));
  const ms = {
    "analysis of the 60 s source (decode, frames, fingerprint)": await timed(3, () =>
      analyseRecording(ff, source),
    ),
    "fingerprint words alone (on top of the STFT)": (await timed(3, () => spectra(true))) - stftOnly,
    "matchReplay: a new take (no early end)": await timed(5, () => matchReplay(a.fingerprint, b.fingerprint)),
    "matchReplay: the source itself": await timed(5, () => matchReplay(a.fingerprint, a.fingerprint)),
  };
  return { ms, voicedS: { source: a.voicedS, take: b.voicedS } };
}
