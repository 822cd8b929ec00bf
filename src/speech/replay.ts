/**
 * Is a verification take a replay of the source, a copy of the same recording rather than a new performance?
 * The two fingerprints (src/speech/fingerprint.ts) are compared at every alignment, over the frames voiced in both
 * and the take's reliable bits only; the best stretch of voice scores its bit error rate. Copies of the source
 * (codecs, resampling, gain, noise, shifts, cuts) scored at most 0.16, new takes of other words at least 0.26 and
 * about 0.42 typically (docs/voice-verification.md, section 5).
 */
import { FINGERPRINT, type Fingerprint, type TakeFingerprint } from "./fingerprint.js";
import { FRAME } from "./frames.js";

/** The replay decision's settings (docs/voice-verification.md, section 5). */
export const REPLAY = {
  /** A stretch of voice whose bit error rate is at most this is a copy: between copies (≤ 0.16) and takes (≥ 0.26). */
  maxBitErrorRate: 0.2,
  /**
   * Voiced frames in a compared stretch: 2 s of voice, about 3.5 s of speech. Shorter stretches let a few words
   * that two renderings share pass for a copy (measured: 1.5 s refused one genuine pair of the evaluation set).
   */
  windowFrames: 200,
  /** …or fewer when a recording has less voice, but never under 1 s (what a verification take needs). */
  minWindowFrames: 100,
} as const;

/** The settings of {@link matchReplay}: {@link REPLAY}, or others to measure them. */
export interface ReplaySettings {
  readonly maxBitErrorRate: number;
  readonly windowFrames: number;
  readonly minWindowFrames: number;
}

/** The best alignment of a take against a source. */
export interface ReplayMatch {
  /** Lowest bit error rate of a stretch of voice (0 = identical, ~0.5 = unrelated); 1 when nothing overlaps. */
  readonly bitErrorRate: number;
  readonly replay: boolean;
  /** Where that stretch starts, in seconds from the start of the take and of the source. */
  readonly takeAtS: number;
  readonly sourceAtS: number;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

const voicedIndices = (fp: Fingerprint): Int32Array => {
  const out: number[] = [];
  for (let i = 0; i < fp.voiced.length; i++) if (fp.voiced[i]) out.push(i);
  return Int32Array.from(out);
};

/** First position in sorted `xs` whose value is at least `min`. */
function lowerBound(xs: Int32Array, min: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < min) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Compares a take with the source at every time offset (frame `i` of the take against frame `i + d` of the
 * source), over the frames voiced in both, in sliding stretches of {@link REPLAY.windowFrames}; the lowest bit
 * error rate of any stretch decides. Cost: one XOR and popcount per voiced take frame and source frame
 * (60 s against 60 s: ~20 million, about 0.1 s).
 *
 * @example
 * const m = matchReplay(source.fingerprint, take.fingerprint);
 * if (m.replay) fail(`a copy of the source from ${m.takeAtS} s`);
 */
export function matchReplay(
  source: Fingerprint,
  take: TakeFingerprint,
  settings: ReplaySettings = REPLAY,
): ReplayMatch {
  const s = source.words;
  const t = take.words;
  const reliable = take.reliable;
  const sv = source.voiced;
  const voiced = voicedIndices(take);
  let sourceVoiced = 0;
  for (const v of sv) sourceVoiced += v;
  const shorter = Math.min(voiced.length, sourceVoiced);
  // A replay's voice detection may differ a little from the source's: leave room below the shorter count.
  const { windowFrames, minWindowFrames } = settings;
  const window = Math.min(windowFrames, Math.max(minWindowFrames, Math.floor(shorter * 0.8)));
  const errorsOf = new Int32Array(window);
  const frameOf = new Int32Array(window);
  let bestErrors = Number.POSITIVE_INFINITY;
  let bestTake = 0;
  let bestOffset = 0;
  for (let d = 1 - t.length; d < s.length; d++) {
    let n = 0;
    let errors = 0;
    for (let k = lowerBound(voiced, -d); k < voiced.length; k++) {
      const i = voiced[k]!;
      const j = i + d;
      if (j >= s.length) break;
      if (!sv[j]) continue;
      const slot = n % window;
      const e = popcount((t[i]! ^ s[j]!) & reliable[i]!);
      errors += n >= window ? e - errorsOf[slot]! : e;
      errorsOf[slot] = e;
      frameOf[slot] = i;
      n++;
      if (n >= window && errors < bestErrors) {
        bestErrors = errors;
        bestTake = frameOf[n % window]!;
        bestOffset = d;
      }
    }
  }
  const seconds = (frame: number) => Number(((frame * FRAME.hop) / FRAME.sampleRate).toFixed(2));
  const bitErrorRate = Number.isFinite(bestErrors) ? bestErrors / (window * FINGERPRINT.reliableBits) : 1;
  return {
    bitErrorRate,
    replay: bitErrorRate <= settings.maxBitErrorRate,
    takeAtS: seconds(bestTake),
    sourceAtS: seconds(bestTake + bestOffset),
  };
}
