/**
 * The replay check on the speaker evaluation's trials: every take against every source of its half, as the
 * server would match them (src/speech/replay.ts). No take of the set is a copy of a source, so every refusal
 * here would be a genuine take wrongly called a replay.
 */
import { type Analysis, matchReplay, REPLAY, type TakeFingerprint } from "../../src/speech/index.js";

interface Trial {
  readonly voice: string;
  readonly split: string;
  readonly role: "enrolment" | "test";
  readonly analysis: Analysis;
}

/** Per half: same-voice and different-voice pairs, the lowest bit error rate, and how many were refused. */
export function replayTrials(
  items: readonly Trial[],
  cross: readonly { voice: string; takes: TakeFingerprint[] }[],
) {
  const rows: (string | number)[][] = [];
  const figures: Record<string, { pairs: number; refused: number; lowest: number }> = {};
  const add = (name: string, bers: number[]) => {
    const refused = bers.filter((b) => b <= REPLAY.maxBitErrorRate).length;
    const lowest = Math.min(...bers);
    figures[name] = { pairs: bers.length, refused, lowest };
    rows.push([name, bers.length, Number(lowest.toFixed(3)), refused]);
  };
  for (const split of ["calibration", "evaluation"]) {
    const half = items.filter((i) => i.split === split);
    const sources = half.filter((i) => i.role === "enrolment");
    const same: number[] = [];
    const different: number[] = [];
    for (const t of half.filter((i) => i.role === "test")) {
      for (const s of sources) {
        const ber = matchReplay(s.analysis.fingerprint, t.analysis.fingerprint).bitErrorRate;
        (s.voice === t.voice ? same : different).push(ber);
      }
    }
    add(`${split}: same voice, other words`, same);
    add(`${split}: different voices`, different);
  }
  const crossBers = cross.flatMap((c) => {
    const source = items.find((i) => i.voice === c.voice && i.role === "enrolment");
    return source ? c.takes.map((t) => matchReplay(source.analysis.fingerprint, t).bitErrorRate) : [];
  });
  if (crossBers.length > 0) add("evaluation: same variant, other language", crossBers);
  return { rows: [["pairs", "count", "lowest bit error rate", "refused as a replay"], ...rows], figures };
}
