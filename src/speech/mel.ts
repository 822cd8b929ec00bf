/**
 * Mel-scale filterbank and DCT: the two fixed matrices that turn a power spectrum into cepstral coefficients
 * (MFCCs). Built once per analyser; sparse, since each triangle covers a few bins only.
 */

const melOf = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
const hzOf = (mel: number): number => 700 * (10 ** (mel / 2595) - 1);

/** One triangular filter: weights for bins `start … start + weights.length - 1`. */
export interface MelFilter {
  readonly start: number;
  readonly weights: Float32Array;
}

/**
 * `count` triangular filters evenly spaced on the mel scale between `lowHz` and `highHz`, over the bins of a
 * `size`-point spectrum at `sampleRate` (bin k is k·rate/size Hz). Each triangle peaks at 1.
 */
export function melFilters(
  count: number,
  size: number,
  sampleRate: number,
  lowHz: number,
  highHz: number,
): MelFilter[] {
  const lo = melOf(lowHz);
  const hi = melOf(highHz);
  const edges = Array.from({ length: count + 2 }, (_, i) => hzOf(lo + ((hi - lo) * i) / (count + 1)));
  const binHz = sampleRate / size;
  const filters: MelFilter[] = [];
  for (let m = 0; m < count; m++) {
    const [left, centre, right] = [edges[m]!, edges[m + 1]!, edges[m + 2]!];
    const start = Math.ceil(left / binHz);
    const end = Math.min(Math.floor(right / binHz), size / 2);
    const weights = new Float32Array(Math.max(1, end - start + 1));
    for (let k = start; k <= end; k++) {
      const f = k * binHz;
      weights[k - start] = f <= centre ? (f - left) / (centre - left) : (right - f) / (right - centre);
    }
    filters.push({ start, weights });
  }
  return filters;
}

/** The orthonormal DCT-II rows 0…`coefficients - 1` for `inputs` values, row-major. */
export function dctMatrix(coefficients: number, inputs: number): Float32Array {
  const m = new Float32Array(coefficients * inputs);
  for (let c = 0; c < coefficients; c++) {
    const scale = Math.sqrt((c === 0 ? 1 : 2) / inputs);
    for (let i = 0; i < inputs; i++) m[c * inputs + i] = scale * Math.cos((Math.PI * c * (i + 0.5)) / inputs);
  }
  return m;
}
