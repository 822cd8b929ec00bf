/**
 * The speaker embedding: statistics pooling of cepstral features over voiced frames, then the calibrated
 * projection (LDA) that keeps the directions along which voices differ more than one voice varies, and
 * cosine scoring. Cepstra describe the vocal tract's resonances (formants, spectral tilt), which is what
 * tells voices apart; c0 (loudness) is left out, so gain does not matter.
 */

import { voicedCepstra } from "./cepstra.js";
import { FRAME, type Frames } from "./frames.js";

/** Coefficients c1…c(POOLED) are pooled. */
const POOLED = FRAME.cepstra - 1;

/**
 * Length of the pooled statistics vector: means, standard deviations and delta deviations of c1…c19, then the
 * mean and standard deviation of the voiced frames' periodicity (voice quality: breathy, rough or clear).
 */
export const STATS_SIZE = POOLED * 3 + 2;

/**
 * Pools voiced frames into one vector: per coefficient the mean, the standard deviation, and the standard
 * deviation of the frame-to-frame change (between consecutive voiced frames). Returns null without voiced frames.
 */
export function poolStatistics(frames: Frames, voiced: Uint8Array): Float64Array | null {
  const sum = new Float64Array(POOLED);
  const sq = new Float64Array(POOLED);
  const dsq = new Float64Array(POOLED);
  const cep = voicedCepstra(frames, voiced);
  const n = cep.rows;
  let pairs = 0;
  const c = cep.data;
  const stride = FRAME.cepstra;
  for (let i = 0; i < n; i++) {
    const consecutive = cep.adjacent[i] === 1;
    if (consecutive) pairs++;
    for (let k = 0; k < POOLED; k++) {
      const v = c[i * stride + k + 1]!;
      sum[k] = sum[k]! + v;
      sq[k] = sq[k]! + v * v;
      if (consecutive) {
        const d = v - c[(i - 1) * stride + k + 1]!;
        dsq[k] = dsq[k]! + d * d;
      }
    }
  }
  if (n === 0) return null;
  const out = new Float64Array(STATS_SIZE);
  for (let k = 0; k < POOLED; k++) {
    const mean = sum[k]! / n;
    out[k] = mean;
    out[POOLED + k] = Math.sqrt(Math.max(sq[k]! / n - mean * mean, 0));
    out[2 * POOLED + k] = pairs > 0 ? Math.sqrt(dsq[k]! / pairs) : 0;
  }
  let ps = 0;
  let pq = 0;
  for (let i = 0; i < frames.count; i++) {
    if (!voiced[i]) continue;
    const p = frames.periodicity[i]!;
    ps += p;
    pq += p * p;
  }
  out[3 * POOLED] = ps / n;
  out[3 * POOLED + 1] = Math.sqrt(Math.max(pq / n - (ps / n) ** 2, 0));
  return out;
}

/** A calibrated projection: `embedding = normalise(W · (stats - mean))`. */
export interface Projection {
  readonly mean: readonly number[];
  /** Row-major, `rows × STATS_SIZE`. */
  readonly matrix: readonly number[];
  readonly rows: number;
}

/** Projects pooled statistics into the speaker space; a unit vector. */
export function embed(stats: ArrayLike<number>, p: Projection): Float64Array {
  const d = p.mean.length;
  const out = new Float64Array(p.rows);
  let norm = 0;
  for (let r = 0; r < p.rows; r++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += p.matrix[r * d + k]! * (stats[k]! - p.mean[k]!);
    out[r] = s;
    norm += s * s;
  }
  norm = Math.sqrt(norm) || 1;
  for (let r = 0; r < p.rows; r++) out[r] = out[r]! / norm;
  return out;
}

/** Cosine similarity of two unit vectors (-1…1). */
export function similarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) s += a[i]! * b[i]!;
  return s;
}
