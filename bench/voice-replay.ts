/**
 * The replay check, measured: for every voice of the evaluation set (bench/lib/voice-set.ts, both halves), a
 * source recording like the set's (three sentences, each with its own pitch and speed, MP3 128 kb/s), copies of
 * it (bench/lib/voice-copies.ts) and new takes of the same voice; each is analysed with the server's own code and
 * matched against the source (src/speech/replay.ts). Prints the bit error rates by kind of copy and of take, and
 * the cost of a 60 s take against a 60 s source.
 *
 *   npm run build && node dist/bench/voice-replay.js
 */
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { MIN_VOICED_S } from "../src/families/voice/index.js";
import { findFfmpeg } from "../src/media/index.js";
import { analyseRecording, judge, matchReplay, REPLAY } from "../src/speech/index.js";
import { BENCH_DIR, note, printTable, writeResults } from "./lib/report.js";
import { median, percentile, round } from "./lib/stats.js";
import { run, seeded, speak } from "./lib/voice-audio.js";
import { COPIES, type Copy, makeCopy, renderRetake, retakes } from "./lib/voice-copies.js";
import { replayTiming } from "./lib/voice-replay-timing.js";
import { planSet, pool } from "./lib/voice-set.js";

/** Copies the check promises to refuse (a recording played in a room is measured, not promised). */
const PROMISED: readonly Copy[] = COPIES.filter((c) => c !== "room");

const ff = await findFfmpeg();
if (!ff) throw new Error("ffmpeg is needed");
const root = join(BENCH_DIR, "voice-replay");
const planned = planSet(join(root, "unused"));

interface Row {
  readonly voice: string;
  readonly split: string;
  readonly group: "copy" | "take";
  readonly kind: string;
  readonly ber: number;
  readonly usable: boolean;
}

note(`making and matching copies and new takes of ${planned.length} voices`);
const rows: Row[] = (
  await pool(planned, Math.max(1, availableParallelism()), async (v) => {
    const dir = join(root, v.split, v.id.replace(/[^\w+-]/g, "_"));
    const rnd = seeded(v.id.length * 7919 + v.id.charCodeAt(0) * 31 + v.id.charCodeAt(v.id.length - 1));
    const prosody = () => ({ pitch: 41 + Math.floor(rnd() * 19), speed: 158 + Math.floor(rnd() * 35) });
    const source = join(dir, "source.mp3");
    const wav = join(dir, "source.wav");
    const sentences = v.texts.slice(0, 3).map((text) => ({ text, ...prosody() }));
    const [lang, variant] = v.id.split("+") as [string, string];
    const next = planned[(planned.indexOf(v) + 1) % planned.length]!.id.split("+")[1]!;
    const takes = retakes(v.id, `${lang}+${next === variant ? "m1" : next}`, sentences[0]!, v.texts[3]!, rnd);
    const paths: { group: Row["group"]; kind: string; path: string }[] = [];
    if (!existsSync(join(dir, "done"))) {
      await mkdir(dir, { recursive: true });
      const parts = await Promise.all(
        sentences.map(async (s, i) => {
          const part = join(dir, `part-${i}.wav`);
          await speak(v.id, s.text, s.pitch, s.speed, part);
          return part;
        }),
      );
      await writeFile(join(dir, "parts.txt"), parts.map((p) => `file '${p}'`).join("\n"));
      const concat = [
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        join(dir, "parts.txt"),
      ];
      await run("ffmpeg", [...concat, "-c:a", "libmp3lame", "-b:a", "128k", source]);
      await run("ffmpeg", [
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-i",
        source,
        "-ar",
        "22050",
        "-c:a",
        "pcm_s16le",
        wav,
      ]);
      for (const p of parts) await rm(p);
      for (const kind of COPIES) await makeCopy(source, wav, kind, dir, rnd);
      for (const [i, t] of takes.entries()) await renderRetake(t, join(dir, `take-${i}.wav`));
      await writeFile(join(dir, "done"), "");
    }
    for (const kind of COPIES) {
      const ext =
        kind === "same-file" || kind.startsWith("mp3") || kind === "all-at-once"
          ? "mp3"
          : kind.startsWith("webm")
            ? "webm"
            : kind.startsWith("m4a")
              ? "m4a"
              : "wav";
      paths.push({
        group: "copy",
        kind,
        path: kind === "same-file" ? source : join(dir, `copy-${kind}.${ext}`),
      });
    }
    for (const [i, t] of takes.entries()) {
      paths.push({ group: "take", kind: t.kind, path: join(dir, `take-${i}.wav`) });
    }
    const reference = await analyseRecording(ff, source);
    const out: Row[] = [];
    for (const p of paths) {
      const a = await analyseRecording(ff, p.path);
      const usable = judge(a, MIN_VOICED_S.verification, "take").ok;
      const ber = matchReplay(reference.fingerprint, a.fingerprint).bitErrorRate;
      out.push({ voice: v.id, split: v.split, group: p.group, kind: p.kind, ber, usable });
    }
    return out;
  })
).flat();

const usable = rows.filter((r) => r.usable);
const kinds = [...new Set(rows.map((r) => `${r.group}\u0000${r.kind}`))].map(
  (k) => k.split("\u0000") as [Row["group"], string],
);
const summary = kinds.map(([group, kind]) => {
  const all = usable.filter((r) => r.group === group && r.kind === kind).map((r) => r.ber);
  // A bit error rate of 1 means no stretch of voice overlapped at all (a short take): never a replay.
  const bers = all.filter((b) => b < 1);
  return {
    group,
    kind,
    n: all.length,
    noOverlap: all.length - bers.length,
    refusedByUsability: rows.filter((r) => r.group === group && r.kind === kind && !r.usable).length,
    min: Math.min(...bers),
    p5: percentile(bers, 5),
    median: median(bers),
    p95: percentile(bers, 95),
    max: Math.max(...bers),
    refused: bers.filter((b) => b <= REPLAY.maxBitErrorRate).length,
  };
});
printTable(
  `Lowest bit error rate of a stretch of voice against the source (replay at <= ${REPLAY.maxBitErrorRate})`,
  [
    ["", "kind", "usable", "no overlap", "min", "p5", "median", "p95", "max", "refused as a replay"],
    ...summary.map((s) => [
      s.group,
      s.kind,
      s.n,
      s.noOverlap,
      ...[s.min, s.p5, s.median, s.p95, s.max].map((x) => round(x, 3)),
      `${s.refused} (${round((s.refused / Math.max(s.n, 1)) * 100, 1)} %)`,
    ]),
  ],
);
// Per half of the set: the worst promised copy, and the best-matching take of other words.
for (const split of ["calibration", "evaluation"]) {
  const half = usable.filter((r) => r.split === split);
  const copies = half.filter((r) => r.group === "copy" && PROMISED.includes(r.kind as Copy));
  const other = half.filter((r) => r.kind === "other words");
  note(
    `${split}: promised copies max ${round(Math.max(...copies.map((r) => r.ber)), 3)}; ` +
      `takes of other words min ${round(Math.min(...other.map((r) => r.ber)), 3)}`,
  );
}
const timing = await replayTiming(ff, join(root, "timing"));
printTable(
  `Cost: a 60 s take (${round(timing.voicedS.take, 1)} s voiced) against a 60 s source (${round(timing.voicedS.source, 1)} s voiced)`,
  [["step", "ms (median)"], ...Object.entries(timing.ms).map(([k, v]) => [k, round(v, 1)])],
);
writeResults("voice-replay", {
  threshold: REPLAY.maxBitErrorRate,
  window: REPLAY.windowFrames,
  summary,
  timing,
  rows,
});
