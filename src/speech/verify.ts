/**
 * The same-speaker decision: both recordings' pooled statistics are projected into the calibrated speaker space
 * and compared by cosine similarity against the calibrated threshold.
 */
import { PROJECTION, SAME_VOICE_THRESHOLD } from "./calibration.js";
import { embed, type Projection, similarity } from "./embedding.js";

/** What the check needs: the projection and the threshold on the cosine similarity. */
export interface SpeakerModel {
  readonly projection: Projection;
  readonly threshold: number;
}

/** The shipped calibration (src/speech/calibration.ts, written by the evaluation script). */
export const SPEAKER_MODEL: SpeakerModel = { projection: PROJECTION, threshold: SAME_VOICE_THRESHOLD };

/** The comparison of two recordings. */
export interface SpeakerMatch {
  /** Cosine similarity of the embeddings, -1…1. */
  readonly score: number;
  readonly threshold: number;
  readonly same: boolean;
  /** The embedding of the first recording (what a voice profile stores). */
  readonly embedding: Float64Array;
}

/**
 * Decides whether two recordings hold the same voice, from their pooled statistics.
 *
 * @example
 * const m = compareSpeakers(source.stats, verification.stats);
 * if (!m.same) fail(`not the same voice (similarity ${m.score.toFixed(2)})`);
 */
export function compareSpeakers(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  model: SpeakerModel = SPEAKER_MODEL,
): SpeakerMatch {
  const ea = embed(a, model.projection);
  const score = similarity(ea, embed(b, model.projection));
  return { score, threshold: model.threshold, same: score >= model.threshold, embedding: ea };
}
