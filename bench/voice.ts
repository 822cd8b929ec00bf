/**
 * Custom voice: the analysis time of `validate` and of `generate` for a 30-second segment, fetch excluded. Each
 * side runs the family's own inspection (probe, decode with ffmpeg, frame analysis, voice activity, usability
 * checks, speaker statistics); generate adds the speaker comparison. Rounds alternate the two; figures are
 * medians. Memory: the Node process's peak growth and the ffmpeg children's peak (/proc).
 *
 *   node dist/bench/voice.js [--quick] [--rounds N]
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { inspectSource, inspectVerification } from "../src/families/voice/index.js";
import { compareSpeakers } from "../src/speech/index.js";
import { openBenchHookline } from "./lib/hookline.js";
import { MemoryWatch } from "./lib/memory.js";
import { BENCH_DIR, note, parseArgs, printTable, writeResults } from "./lib/report.js";
import { median, monoMs, round } from "./lib/stats.js";
import { run, speak } from "./lib/voice-audio.js";

const args = parseArgs();
const rounds = args.rounds ?? (args.quick ? 3 : 9);
const SEGMENT_S = 30;
const MB = 1024 * 1024;
const TARGET_MS = 500;

/** A 35-second recording of one espeak voice (a source MP3, and a browser-like WebM/Opus take). */
async function recordings(): Promise<{ source: string; take: string }> {
  const dir = join(BENCH_DIR, "voice");
  const source = join(dir, "source-35s.mp3");
  const take = join(dir, "take-30s.webm");
  if (existsSync(source) && existsSync(take)) return { source, take };
  mkdirSync(dir, { recursive: true });
  const text = (n: number) =>
    Array.from(
      { length: n },
      (_, i) => `Line ${i + 1}: the morning light is falling softly on the river while we sing.`,
    ).join(" ");
  await speak("en+m3", text(9), 50, 150, join(dir, "source.wav"));
  await speak("en+m3", text(8), 55, 160, join(dir, "take.wav"));
  const ff = (src: string, out: string, t: number, codec: string[]) =>
    run("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", src, "-t", String(t), ...codec, out]);
  await ff(join(dir, "source.wav"), source, 35, ["-c:a", "libmp3lame", "-b:a", "128k"]);
  await ff(join(dir, "take.wav"), take, SEGMENT_S, [
    "-c:a",
    "libopus",
    "-b:a",
    "32k",
    "-ar",
    "48000",
    "-f",
    "webm",
  ]);
  return { source, take };
}

const h = await openBenchHookline();
try {
  const { source, take } = await recordings();
  const signal = new AbortController().signal;
  const validate = () => inspectSource(h.services, source, { startS: 2, endS: 2 + SEGMENT_S }, signal);
  const generate = async (stats: Float64Array) => {
    const a = await inspectVerification(h.services, take, signal);
    return compareSpeakers(stats, a.stats!);
  };
  note("warming up");
  const ref = (await validate()).stats!;
  await generate(ref);
  type Sample = { ms: number; node: number; child: number };
  const samples: Record<"validate" | "generate", Sample[]> = { validate: [], generate: [] };
  for (let r = 0; r < rounds; r++) {
    note(`round ${r + 1}/${rounds}`);
    const order = r % 2 === 0 ? (["validate", "generate"] as const) : (["generate", "validate"] as const);
    for (const side of order) {
      const watch = new MemoryWatch();
      watch.start();
      const t0 = monoMs();
      if (side === "validate") await validate();
      else if (!(await generate(ref)).same) throw new Error("the take should match its own source");
      const ms = monoMs() - t0;
      const peak = watch.stop();
      samples[side].push({ ms, node: peak.nodeGrowthBytes, child: peak.childPeakBytes });
    }
  }
  const results = (["validate", "generate"] as const).map((side) => {
    const s = samples[side];
    return {
      side,
      medianMs: round(median(s.map((x) => x.ms)), 1),
      maxMs: round(Math.max(...s.map((x) => x.ms)), 1),
      targetMs: TARGET_MS,
      nodeGrowthMB: round(median(s.map((x) => x.node)) / MB, 1),
      ffmpegPeakMB: round(median(s.map((x) => x.child)) / MB, 1),
      roundsMs: s.map((x) => round(x.ms, 1)),
    };
  });
  printTable(`Voice analysis of a ${SEGMENT_S} s segment, ${rounds} alternating rounds (fetch excluded)`, [
    ["step", "median ms", "max ms", "target ms", "Node growth MB", "ffmpeg peak MB"],
    ...results.map((r) => [r.side, r.medianMs, r.maxMs, `< ${r.targetMs}`, r.nodeGrowthMB, r.ffmpegPeakMB]),
  ]);
  writeResults("voice", { quick: args.quick, rounds, segmentS: SEGMENT_S, results });
} finally {
  await h.close();
}
