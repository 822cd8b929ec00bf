/**
 * Pitch classes and key. Each spectrum bin between 55 Hz and 4.2 kHz adds its magnitude to the pitch class of its
 * centre frequency (equal temperament, A = 440 Hz); the 12-value profile is then correlated with the
 * Krumhansl–Kessler key profiles in all 24 rotations, and the best match names the key.
 * @module
 */

/** Krumhansl–Kessler probe-tone profiles (1982), tonic first. */
const MAJOR = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
const MINOR = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

const LOW_HZ = 55;
const HIGH_HZ = 4200;

/**
 * The pitch class (0 = C) of every bin of a `size`-point spectrum at `sampleRate`, or -1 for bins outside the
 * musical range (too low to resolve, or mostly overtones and noise).
 */
export function pitchClassOfBins(size: number, sampleRate: number): Int8Array {
  const bins = size / 2 + 1;
  const map = new Int8Array(bins).fill(-1);
  for (let k = 1; k < bins; k++) {
    const hz = (k * sampleRate) / size;
    if (hz < LOW_HZ || hz > HIGH_HZ) continue;
    const midi = Math.round(69 + 12 * Math.log2(hz / 440));
    map[k] = ((midi % 12) + 12) % 12;
  }
  return map;
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (a[i]! - ma) * (b[i]! - mb);
    da += (a[i]! - ma) ** 2;
    db += (b[i]! - mb) ** 2;
  }
  return da === 0 || db === 0 ? 0 : num / Math.sqrt(da * db);
}

/**
 * The key whose profile correlates best with the chroma vector.
 *
 * @example
 * estimateKey(chromaOfAMinorTriad) // { tonic: 9, mode: "minor", confidence: 0.8 }
 */
export function estimateKey(chroma: readonly number[]): {
  tonic: number;
  mode: "major" | "minor";
  confidence: number;
} {
  let best = { tonic: 0, mode: "major" as "major" | "minor", confidence: -2 };
  for (let tonic = 0; tonic < 12; tonic++) {
    // Rotate the chroma so that the candidate tonic comes first, then compare with the tonic-first profiles.
    const rotated = chroma.map((_, i) => chroma[(i + tonic) % 12]!);
    for (const [mode, profile] of [
      ["major", MAJOR],
      ["minor", MINOR],
    ] as const) {
      const c = correlation(rotated, profile);
      if (c > best.confidence) best = { tonic, mode, confidence: c };
    }
  }
  return { ...best, confidence: Math.max(-1, best.confidence) };
}
