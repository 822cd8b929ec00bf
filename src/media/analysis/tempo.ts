/**
 * Tempo from the onset-strength curve (spectral flux): the curve's autocorrelation is strongest at the lag of the
 * beat. Lags for 60–200 BPM are scored, weighted towards moderate tempi (a log-normal prior around 120 BPM, as in
 * common beat trackers, which settles the usual half/double-tempo ambiguity). The chosen lag is then refined from the
 * peaks at its multiples (2, 3, 4 beats), each located by parabolic interpolation: one frame is 32 ms, too coarse
 * alone for a tempo within 1–2 BPM.
 *
 * A track without a beat (a steady tone, a drone, noise, a sweep) still has a "best" lag, chosen among noise: the
 * estimate reports no tempo when that peak is weak (normalised autocorrelation under {@link MIN_CLARITY}) or does
 * not stand out of the autocorrelation around it. Measured on generated audio: steady tones, chords, tremolo, pink
 * noise and sweeps peak at 0.00–0.09, pulsing chords and click tracks at 0.5–0.98.
 * @module
 */

const MIN_BPM = 60;
const MAX_BPM = 200;
const PRIOR_BPM = 120;
/** Width of the prior in octaves. */
const PRIOR_OCTAVES = 1;
/** Beat multiples used to refine the lag. */
const MULTIPLES = 4;
/** Below this pulse clarity there is no beat to report (see the module comment for the measured spread). */
export const MIN_CLARITY = 0.15;
/** How far the chosen peak must rise above the mean autocorrelation over all candidate lags. */
const MIN_PROMINENCE = 0.1;

/**
 * Tempo estimate: beats per minute (null when the audio has no beat) and pulse clarity (the normalised
 * autocorrelation at the chosen lag, 0–1).
 */
export interface TempoEstimate {
  readonly bpm: number | null;
  readonly clarity: number;
}

/**
 * Estimates the tempo of an onset-strength curve sampled `frameRate` times per second. Without a pulse (silence,
 * a steady tone, noise, a track shorter than two slow beats) it answers `bpm: null`.
 *
 * @example
 * estimateTempo(flux, 16_000 / 512) // { bpm: 119.9, clarity: 0.67 } for a 120 BPM click track
 */
export function estimateTempo(onsets: Float32Array, frameRate: number): TempoEstimate {
  const n = onsets.length;
  const minLag = Math.max(1, Math.floor((60 * frameRate) / MAX_BPM));
  const maxLag = Math.min(n - 1, Math.ceil((60 * frameRate) / MIN_BPM));
  if (maxLag <= minLag + 1) return { bpm: null, clarity: 0 };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += onsets[i]!;
  mean /= n;
  const x = new Float32Array(n);
  let energy = 0;
  for (let i = 0; i < n; i++) {
    x[i] = onsets[i]! - mean;
    energy += x[i]! * x[i]!;
  }
  if (energy <= 1e-12) return { bpm: null, clarity: 0 };
  const lastLag = Math.min(n - 1, MULTIPLES * maxLag + MULTIPLES + 1);
  const ac = new Float64Array(lastLag + 1);
  for (let lag = 1; lag <= lastLag; lag++) {
    let s = 0;
    for (let i = lag; i < n; i++) s += x[i]! * x[i - lag]!;
    // Unbiased: longer lags have fewer products.
    ac[lag] = s / (n - lag) / (energy / n);
  }
  let bestLag = minLag;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let lag = minLag; lag <= maxLag; lag++) {
    const bpm = (60 * frameRate) / lag;
    const octaves = Math.log2(bpm / PRIOR_BPM) / PRIOR_OCTAVES;
    const score = ac[lag]! * Math.exp(-0.5 * octaves * octaves);
    if (score > bestScore) {
      bestScore = score;
      bestLag = lag;
    }
  }
  let sum = 0;
  let count = 0;
  for (let m = 1; m <= MULTIPLES; m++) {
    // The peak nearest to m beats, searched within ±m frames (the beat's rounding error, m times over).
    let at = -1;
    for (let lag = m * bestLag - m; lag <= m * bestLag + m; lag++) {
      if (lag < 1 || lag + 1 > lastLag) continue;
      if (at < 0 || ac[lag]! > ac[at]!) at = lag;
    }
    if (at < 1 || at + 1 > lastLag) break;
    sum += (at + peakShift(ac[at - 1]!, ac[at]!, ac[at + 1]!)) / m;
    count++;
  }
  const lag = count > 0 ? sum / count : bestLag;
  const clarity = Math.max(0, Math.min(1, Math.max(ac[bestLag - 1]!, ac[bestLag]!, ac[bestLag + 1] ?? 0)));
  let rangeSum = 0;
  for (let l = minLag; l <= maxLag; l++) rangeSum += ac[l]!;
  const prominence = clarity - rangeSum / (maxLag - minLag + 1);
  const beat = clarity >= MIN_CLARITY && prominence >= MIN_PROMINENCE;
  return { bpm: beat ? (60 * frameRate) / lag : null, clarity };
}

/** Offset of a parabola's vertex through three equally spaced values, in [-0.5, 0.5]. */
function peakShift(a: number, b: number, c: number): number {
  const denom = a - 2 * b + c;
  return denom < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom)) : 0;
}
