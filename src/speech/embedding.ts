/**
 * The speaker embedding: statistics pooling of cepstral features over voiced frames, then the calibrated
 * projection (LDA) that keeps the directions along which voices differ more than one voice varies, and
 * cosine scoring. Cepstra describe the vocal tract's resonances (formants, spectral tilt), which is what
 * tells voices apart; c0 (loudness) is left out, so gain does not matter.
 */
import { FRAME, type Frames } from "./frames.js";
import { dctMatrix } from "./mel.js";

/** Coefficients c1…c(POOLED) are pooled. */
const POOLED = FRAME.cepstra - 1;

/** Length of the pooled statistics vector: means, standard deviations and delta deviations of c1…c19. */
export const STATS_SIZE = POOLED * 3;

/**
 * The cepstra of the voiced frames, after removing the background: the mean mel spectrum of the quietest
 * unvoiced frames is subtracted from every frame (power spectral subtraction, floored), so steady noise shifts
 * the features less.
 */
export function voicedCepstra(frames: Frames, voiced: Uint8Array): { rows: number; data: Float64Array } {
  const bands = FRAME.melBands;
  const noise = new Float64Array(bands);
  const quiet: number[] = [];
  for (let i = 0; i < frames.count; i++) if (!voiced[i]) quiet.push(i);
  quiet.sort((a, b) => frames.levelDb[a]! - frames.levelDb[b]!);
  const take = quiet.slice(0, Math.max(1, Math.ceil(quiet.length / 5)));
  if (quiet.length > 0) {
    for (const i of take)
      for (let m = 0; m < bands; m++) noise[m] = noise[m]! + frames.mel[i * bands + m]! / take.length;
  }
  const alpha = Number(process.env.SUBTRACT ?? 1);
  const dct = dctMatrix(FRAME.cepstra, bands);
  const rows: number[] = [];
  for (let i = 0; i < frames.count; i++) if (voiced[i]) rows.push(i);
  const data = new Float64Array(rows.length * FRAME.cepstra);
  const logMel = new Float64Array(bands);
  rows.forEach((i, r) => {
    for (let m = 0; m < bands; m++) {
      const e = frames.mel[i * bands + m]!;
      logMel[m] = Math.log(Math.max(e - alpha * noise[m]!, 0.05 * e) + 1e-10);
    }
    for (let c = 0; c < FRAME.cepstra; c++) {
      let sum = 0;
      for (let m = 0; m < bands; m++) sum += dct[c * bands + m]! * logMel[m]!;
      data[r * FRAME.cepstra + c] = sum;
    }
  });
  // Consecutive voiced frames, for the deltas: row r follows row r-1 directly when their frames are adjacent.
  const adjacent = new Uint8Array(rows.length);
  for (let r = 1; r < rows.length; r++) adjacent[r] = rows[r]! === rows[r - 1]! + 1 ? 1 : 0;
  return { rows: rows.length, data, adjacent } as { rows: number; data: Float64Array; adjacent: Uint8Array };
}

/**
 * Pools voiced frames into one vector: per coefficient the mean, the standard deviation, and the standard
 * deviation of the frame-to-frame change (between consecutive voiced frames). Returns null without voiced frames.
 */
export function poolStatistics(frames: Frames, voiced: Uint8Array): Float64Array | null {
  const sum = new Float64Array(POOLED);
  const sq = new Float64Array(POOLED);
  const dsq = new Float64Array(POOLED);
  const cep = voicedCepstra(frames, voiced) as { rows: number; data: Float64Array; adjacent: Uint8Array };
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
