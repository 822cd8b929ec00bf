/**
 * The speaker check, measured: builds the synthetic evaluation set (bench/lib/voice-set.ts), analyses every
 * recording with the server's own code, calibrates the projection and the threshold on the calibration voices
 * only (out-of-fold scores), then reports the equal error rate and the error rates at the threshold on the
 * evaluation voices, which calibration never saw (other variants, other languages, other sentences).
 *
 *   npm run voice:eval                      # figures; audio and analyses cached in .bench-data/voice-eval
 *   node dist/bench/voice-eval.js --write   # also rewrites src/speech/calibration.ts
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MIN_VOICED_S } from "../src/families/voice/index.js";
import { findFfmpeg } from "../src/media/index.js";
import {
  type Analysis,
  analyseRecording,
  decodeFingerprint,
  embed,
  encodeFingerprint,
  FINGERPRINT,
  FRAME,
  judge,
  type Projection,
  REPLAY,
  similarity,
  type TakeFingerprint,
  VAD,
} from "../src/speech/index.js";
import { equalErrorRate, fitLda, type Labelled, ratesAt, thresholdForFar } from "./lib/lda.js";
import { BENCH_DIR, note, printTable, writeResults } from "./lib/report.js";
import { median, round } from "./lib/stats.js";
import { replayTrials } from "./lib/voice-replay-eval.js";
import { planSet, pool, renderCrossLanguage, renderVoice, type SetVoice } from "./lib/voice-set.js";

const write = process.argv.includes("--write");
/** The threshold is placed where 0.5 % of the calibration voices' out-of-fold different-voice pairs pass. */
const TARGET_FAR = 0.005;
const DIMS = [16, 24, 32, 40];
/** Shrinkage of the within-voice scatter towards its diagonal. */
const SHRINKS = [0.01, 0.05, 0.2];
const FOLDS = 4;

interface Item {
  readonly voice: string;
  readonly split: SetVoice["split"];
  readonly role: "enrolment" | "test";
  readonly degradation: string;
  readonly analysis: Analysis;
}
type Cached = Omit<Analysis, "stats" | "fingerprint"> & {
  stats: number[] | null;
  fingerprint: string;
  reliable: string;
};

/** The analysis settings the cached figures depend on. */
const settingsKey = (): string =>
  createHash("sha256")
    .update(JSON.stringify({ FRAME, VAD, FINGERPRINT, v: 8 }))
    .digest("hex")
    .slice(0, 12);

const ff = await findFfmpeg();
if (!ff) throw new Error("ffmpeg is needed");
const workers = Math.max(1, availableParallelism());
const planned = planSet(join(BENCH_DIR, "voice-eval"));
note(`rendering ${planned.length} voices (cached after the first run)`);
const voices: SetVoice[] = await pool(planned, workers + 1, renderVoice);

note("analysing every recording (cached per file and analysis settings)");
const cachePath = join(BENCH_DIR, "voice-eval", `analysis-${settingsKey()}.json`);
const cache: Record<string, Cached> = existsSync(cachePath)
  ? JSON.parse(readFileSync(cachePath, "utf8"))
  : {};
const jobs = voices.flatMap((v) => [
  { v, u: v.enrolment, role: "enrolment" as const },
  ...v.tests.map((u) => ({ v, u, role: "test" as const })),
]);
const items: Item[] = await pool(jobs, workers, async ({ v, u, role }) => {
  const hit = cache[u.path];
  const stored = hit ? decodeFingerprint(hit.fingerprint) : null;
  const analysis: Analysis =
    hit && stored
      ? {
          ...hit,
          stats: hit.stats ? Float64Array.from(hit.stats) : null,
          fingerprint: {
            ...stored,
            reliable: new Uint32Array(Uint8Array.from(Buffer.from(hit.reliable, "base64")).buffer),
          },
        }
      : await analyseRecording(ff, u.path);
  cache[u.path] = {
    ...analysis,
    stats: analysis.stats ? [...analysis.stats] : null,
    fingerprint: encodeFingerprint(analysis.fingerprint),
    reliable: Buffer.from(analysis.fingerprint.reliable.buffer).toString("base64"),
  };
  return { voice: v.id, split: v.split, role, degradation: u.degradation, analysis };
});
writeFileSync(cachePath, JSON.stringify(cache));

// The server's usability checks run before any comparison: a refused recording never reaches the speaker check.
const verdicts = items.map((i) => ({
  i,
  v: judge(i.analysis, i.role === "enrolment" ? MIN_VOICED_S.source : MIN_VOICED_S.verification, i.role),
}));
const refused = verdicts
  .filter((x) => !x.v.ok)
  .map((x) => `${x.i.voice} ${x.i.role} ${x.i.degradation}: ${x.v.ok ? "" : x.v.reason}`);
note(`${refused.length} of ${items.length} recordings are refused by the usability checks and left out`);
const usable = verdicts.filter((x) => x.v.ok).map((x) => x.i);

function trials(projection: Projection, set: readonly Item[]) {
  const enrol = new Map(
    set.filter((i) => i.role === "enrolment").map((i) => [i.voice, embed(i.analysis.stats!, projection)]),
  );
  const same: number[] = [];
  const different: number[] = [];
  const detail: { test: string; enrol: string; degradation: string; score: number }[] = [];
  for (const t of set.filter((i) => i.role === "test")) {
    const e = embed(t.analysis.stats!, projection);
    for (const [voice, ref] of enrol) {
      const score = similarity(e, ref);
      (voice === t.voice ? same : different).push(score);
      detail.push({ test: t.voice, enrol: voice, degradation: t.degradation, score });
    }
  }
  return { same, different, detail };
}

const calibration = usable.filter((i) => i.split === "calibration");
const evaluation = usable.filter((i) => i.split === "evaluation");
const calVoices = [...new Set(calibration.map((i) => i.voice))];
const labelled = (xs: readonly Item[]): Labelled[] =>
  xs.map((i) => ({ label: i.voice, x: i.analysis.stats! }));

note("calibrating: dimensions, shrinkage and threshold from out-of-fold scores of the calibration voices");
const oof = DIMS.flatMap((dims) => SHRINKS.map((shrink) => ({ dims, shrink }))).map(({ dims, shrink }) => {
  const same: number[] = [];
  const different: number[] = [];
  for (let f = 0; f < FOLDS; f++) {
    const held = new Set(calVoices.filter((_, i) => i % FOLDS === f));
    const projection = fitLda(labelled(calibration.filter((i) => !held.has(i.voice))), dims, shrink);
    const t = trials(
      projection,
      calibration.filter((i) => held.has(i.voice)),
    );
    same.push(...t.same);
    different.push(...t.different);
  }
  return { dims, shrink, same, different, eer: equalErrorRate(same, different) };
});
const best = oof.reduce((a, b) => (b.eer.eer < a.eer.eer ? b : a));
const threshold = round(thresholdForFar(best.different, TARGET_FAR), 4);
const calAtThreshold = ratesAt(best.same, best.different, threshold);
const projection = fitLda(labelled(calibration), best.dims, best.shrink);

const evalTrials = trials(projection, evaluation);
const evalEer = equalErrorRate(evalTrials.same, evalTrials.different);
const atThreshold = ratesAt(evalTrials.same, evalTrials.different, threshold);
const degradations = [...new Set(evaluation.filter((i) => i.role === "test").map((i) => i.degradation))];
const byDegradation = degradations.map((d) => {
  const rows = evalTrials.detail.filter((r) => r.degradation === d);
  const same = rows.filter((r) => r.test === r.enrol).map((r) => r.score);
  const different = rows.filter((r) => r.test !== r.enrol).map((r) => r.score);
  return {
    degradation: d,
    same: same.length,
    ...ratesAt(same, different, threshold),
    eer: equalErrorRate(same, different).eer,
  };
});
const pairs = (same: boolean) => evalTrials.detail.filter((r) => (r.test === r.enrol) === same);
const hardest = pairs(false)
  .sort((a, b) => b.score - a.score)
  .slice(0, 5);
const weakest = pairs(true)
  .sort((a, b) => a.score - b.score)
  .slice(0, 5);
const evalVoices = new Set(evaluation.map((i) => i.voice)).size;

printTable("Calibration (out-of-fold, calibration voices only): EER by LDA dimensions and shrinkage", [
  ["dims", "shrink", "EER %"],
  ...oof.map((o) => [o.dims, o.shrink, round(o.eer.eer * 100, 2)]),
]);
printTable(
  `Evaluation: ${evalVoices} voices never seen in calibration (${best.dims} dims, shrink ${best.shrink})`,
  [
    ["figure", "value"],
    ["recordings (usable / made)", `${usable.length} / ${items.length}`],
    ["same-voice pairs", evalTrials.same.length],
    ["different-voice pairs", evalTrials.different.length],
    ["EER %", round(evalEer.eer * 100, 2)],
    ["threshold (from calibration)", threshold],
    [
      "calibration FAR / FRR at it %",
      `${round(calAtThreshold.far * 100, 2)} / ${round(calAtThreshold.frr * 100, 2)}`,
    ],
    ["false accepts at threshold", `${atThreshold.falseAccepts} (${round(atThreshold.far * 100, 3)} %)`],
    ["false rejects at threshold", `${atThreshold.falseRejects} (${round(atThreshold.frr * 100, 2)} %)`],
  ],
);
printTable("Operating points: thresholds placed on calibration, rates on evaluation", [
  ["calibration FAR target %", "threshold", "eval FAR %", "eval FRR %"],
  ...[0.02, 0.01, 0.005, 0.002, 0.001].map((far) => {
    const t = thresholdForFar(best.different, far);
    const r = ratesAt(evalTrials.same, evalTrials.different, t);
    return [far * 100, round(t, 4), round(r.far * 100, 3), round(r.frr * 100, 2)];
  }),
]);
printTable("Evaluation by degradation of the verification recording (at the threshold)", [
  ["degradation", "same pairs", "FRR %", "FAR %", "EER %"],
  ...byDegradation.map((d) => [
    d.degradation,
    d.same,
    round(d.frr * 100, 1),
    round(d.far * 100, 2),
    round(d.eer * 100, 2),
  ]),
]);
printTable("Highest-scoring different-voice pairs", [
  ["test voice", "enrolled voice", "degradation", "score"],
  ...hardest.map((h) => [h.test, h.enrol, h.degradation, round(h.score, 3)]),
]);
printTable("Lowest-scoring same-voice pairs", [
  ["voice", "degradation", "score"],
  ...weakest.map((h) => [h.test, h.degradation, round(h.score, 3)]),
]);

// The same variant in another language: by the definition a different voice, by timbre the same.
note("scoring each evaluation variant's takes in another language against its source");
const cross = await pool(
  voices.filter((v) => v.split === "evaluation"),
  workers,
  async (v) => {
    const takes = await renderCrossLanguage(join(BENCH_DIR, "voice-eval", "cross-language"), v);
    const source = evaluation.find((i) => i.voice === v.id && i.role === "enrolment");
    const scores: number[] = [];
    const fingerprints: TakeFingerprint[] = [];
    for (const path of takes.paths) {
      const a = await analyseRecording(ff, path);
      if (!source || !judge(a, MIN_VOICED_S.verification, "take").ok) continue;
      scores.push(similarity(embed(source.analysis.stats!, projection), embed(a.stats!, projection)));
      fingerprints.push(a.fingerprint);
    }
    return { voice: v.id, other: takes.other, scores, fingerprints };
  },
);
const crossScores = cross.flatMap((c) => c.scores);
const crossAccepted = crossScores.filter((s) => s >= threshold).length;
const withCross = equalErrorRate(evalTrials.same, [...evalTrials.different, ...crossScores]);
printTable("Same variant, other language (a different voice by the definition)", [
  ["pairs", "accepted as the same voice at the threshold", "median score", "EER % with them as impostors"],
  [
    crossScores.length,
    `${crossAccepted} (${round((crossAccepted / crossScores.length) * 100, 1)} %)`,
    round(median(crossScores), 3),
    round(withCross.eer * 100, 2),
  ],
]);

// No take of the set is a copy of its source: every replay refusal here would refuse a genuine take.
note("matching every take against every source of its half for the replay check");
const replay = replayTrials(
  usable,
  cross.map((c) => ({ voice: c.voice, takes: c.fingerprints })),
);
printTable(
  `Replay check on the same trials (a replay at bit error rate <= ${REPLAY.maxBitErrorRate}): genuine takes refused`,
  replay.rows,
);

writeResults("voice-eval", {
  replay: { threshold: REPLAY.maxBitErrorRate, ...replay.figures },
  sameVariantOtherLanguage: {
    eerWithThemAsImpostors: withCross.eer,
    pairs: crossScores.length,
    accepted: crossAccepted,
    medianScore: median(crossScores),
  },
  voices: { calibration: calVoices.length, evaluation: evalVoices },
  recordings: { made: items.length, usable: usable.length },
  refusedByUsability: refused,
  calibration: oof.map((o) => ({ dims: o.dims, shrink: o.shrink, eer: o.eer.eer })),
  chosen: {
    dims: best.dims,
    shrink: best.shrink,
    threshold,
    targetFar: TARGET_FAR,
    calibrationAtThreshold: calAtThreshold,
  },
  evaluation: {
    samePairs: evalTrials.same.length,
    differentPairs: evalTrials.different.length,
    eer: evalEer.eer,
    eerThreshold: evalEer.threshold,
    atThreshold,
    byDegradation,
    hardest,
    weakest,
  },
});

if (write) {
  const path = fileURLToPath(new URL("../../src/speech/calibration.ts", import.meta.url));
  const num = (x: number) => Number(x.toPrecision(6));
  const rows = Array.from(
    { length: projection.rows },
    (_, r) =>
      `    ${projection.matrix
        .slice(r * projection.mean.length, (r + 1) * projection.mean.length)
        .map(num)
        .join(", ")},`,
  );
  writeFileSync(
    path,
    `// biome-ignore-all lint/suspicious/noApproximativeNumericConstant: generated figures, not constants
/**
 * The speaker check's calibration, written by \`node dist/bench/voice-eval.js --write\` (do not edit by hand): the LDA
 * projection (${best.dims} dimensions, shrinkage ${best.shrink}) fitted on the ${calVoices.length} calibration voices, and the
 * threshold placed at ${TARGET_FAR * 100} % false accepts on their out-of-fold pairs. Figures: docs/voice-verification.md.
 */
import type { Projection } from "./embedding.js";

/** Accept two recordings as one voice when the cosine similarity of their embeddings is at least this. */
export const SAME_VOICE_THRESHOLD = ${threshold};

/** The LDA projection of the pooled statistics into the speaker space. */
export const PROJECTION: Projection = {
  rows: ${projection.rows},
  mean: [${projection.mean.map(num).join(", ")}],
  // biome-ignore format: a generated matrix, one row per line
  matrix: [
${rows.join("\n")}
  ],
};
`,
  );
  note(`calibration written to ${path}`);
}
