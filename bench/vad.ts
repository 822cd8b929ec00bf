/**
 * The voice activity detector, measured: how much of a clean espeak-ng utterance it finds voiced, how much of
 * that survives noise added to the very same rendering, how much "voice" it finds in noise alone, and how fast
 * the frame analysis runs on decoded samples (decode excluded).
 *
 *   node dist/bench/vad.js
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { drawPhrase } from "../src/families/voice/index.js";
import { findFfmpeg } from "../src/media/index.js";
import { analyseRecording, createFrameAnalyser, FRAME } from "../src/speech/index.js";
import { BENCH_DIR, note, printTable, writeResults } from "./lib/report.js";
import { median, monoMs, round } from "./lib/stats.js";
import { addNoise, readWav, run, seeded, speak, writeWav } from "./lib/voice-audio.js";

const ff = await findFfmpeg();
if (!ff) throw new Error("ffmpeg is needed");
const dir = join(BENCH_DIR, "vad");
mkdirSync(dir, { recursive: true });
const VOICES = [
  "en+m1",
  "en+f5",
  "de+m3",
  "fr+f3",
  "es+Lee",
  "ru+klatt3",
  "hi+Diogo",
  "ja+m7",
  "ko+iven2",
  "cmn+john",
];
const rnd = seeded(11);
const conditions = ["white 20 dB", "pink 15 dB", "white 10 dB"] as const;
const rows: { voice: string; clean: number; kept: number[] }[] = [];
for (const voice of VOICES) {
  const lang = voice.split("+")[0] === "cmn" ? "zh" : (voice.split("+")[0] as "en");
  const clean = join(dir, `${voice}.wav`);
  await speak(
    voice,
    drawPhrase(lang, null, (n) => Math.floor(rnd() * n)),
    50,
    175,
    clean,
  );
  const { rate, samples } = await readWav(clean);
  const base = (await analyseRecording(ff, clean)).voicedS;
  const kept: number[] = [];
  for (const [i, c] of conditions.entries()) {
    const path = join(dir, `${voice}-${i}.wav`);
    const snr = c.startsWith("pink") ? 15 : c.endsWith("20 dB") ? 20 : 10;
    await writeWav(path, rate, addNoise(samples, rate, snr, c.startsWith("pink") ? "pink" : "white", rnd));
    kept.push((await analyseRecording(ff, path)).voicedS / base);
  }
  rows.push({ voice, clean: base, kept });
}
const noises: { colour: string; voicedS: number }[] = [];
for (const colour of ["white", "pink", "brown"]) {
  const path = join(dir, `${colour}.wav`);
  await run("sox", [
    "-n",
    "-r",
    "16000",
    "-c",
    "1",
    "-b",
    "16",
    path,
    "synth",
    "30",
    `${colour}noise`,
    "vol",
    "0.3",
  ]);
  noises.push({ colour, voicedS: (await analyseRecording(ff, path)).voicedS });
}
// Speed of the analysis alone, on 30 s of decoded speech-like samples already in memory.
const samples = new Float32Array(30 * FRAME.sampleRate).map(
  (_, i) => 0.3 * Math.sin((2 * Math.PI * 150 * i) / FRAME.sampleRate) + 0.01 * (rnd() - 0.5),
);
const times: number[] = [];
for (let r = 0; r < 7; r++) {
  const a = createFrameAnalyser();
  const t0 = monoMs();
  for (let at = 0; at < samples.length; at += 4096) a.push(samples.subarray(at, at + 4096));
  a.finish();
  times.push(monoMs() - t0);
}
note("done");
printTable("Voiced sound found, clean, and the share of it kept when noise is added to the same rendering", [
  ["voice", "clean voiced s", ...conditions.map((c) => `kept at ${c}`)],
  ...rows.map((r) => [r.voice, round(r.clean, 2), ...r.kept.map((k) => `${round(k * 100, 0)} %`)]),
  [
    "median",
    round(median(rows.map((r) => r.clean)), 2),
    ...conditions.map((_, i) => `${round(median(rows.map((r) => r.kept[i]!)) * 100, 0)} %`),
  ],
]);
printTable("Voiced sound found in 30 s of noise alone (-10 dBFS)", [
  ["noise", "voiced s"],
  ...noises.map((n) => [n.colour, n.voicedS]),
]);
const ms = median(times);
printTable("Frame analysis speed (STFT, periodicity, mel energies), decode excluded", [
  ["30 s of audio, median of 7", `${round(ms, 1)} ms`],
  ["real-time factor", `${round(30_000 / ms, 0)}x`],
]);
writeResults("vad", { rows, noises, analysisMs30s: ms });
