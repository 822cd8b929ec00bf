/**
 * What the cover art knows of a track: a handful of musical descriptors, all computed from the decoded audio.
 * Every value is a plain number or array so that the features can be logged, hashed and compared.
 * @module
 */
import { createHash } from "node:crypto";

/** Pitch-class names, index 0 = C. */
export const PITCH_CLASSES = ["C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B"] as const;

/** The summary of one track's analysis. */
export interface AudioFeatures {
  /** Length of the decoded audio in seconds. */
  readonly durationS: number;
  /** Mean loudness in dBFS (energy mean over frames; -100 for silence). */
  readonly loudnessDb: number;
  /** Spread between loud (95th percentile) and quiet (10th percentile) frames, in dB. */
  readonly dynamicRangeDb: number;
  /** Loudness over time: `ENVELOPE_POINTS` values in [0, 1] (1 = the loudest segment). */
  readonly envelope: readonly number[];
  /** Brightness over time: spectral centroid per segment, normalised to [0, 1] of the analysed band. */
  readonly brightnessCurve: readonly number[];
  /**
   * Estimated tempo in beats per minute (60–200), null when the audio has no beat (a steady tone, a drone, noise);
   * and how clearly the pulse stands out (0–1).
   */
  readonly tempoBpm: number | null;
  readonly pulseClarity: number;
  /** Mean spectral centroid in Hz (energy-weighted), and the same as a fraction of the analysed band. */
  readonly centroidHz: number;
  readonly brightness: number;
  /** Spectral flatness (0 = tonal, 1 = noise-like), energy-weighted mean. */
  readonly noisiness: number;
  /** Energy share of `BANDS.length` logarithmic frequency bands, summing to 1. */
  readonly bands: readonly number[];
  /** Energy share of the 12 pitch classes (index 0 = C), summing to 1. */
  readonly chroma: readonly number[];
  /** Estimated key: tonic pitch class (0 = C), mode, and the profile correlation (-1…1) behind it. */
  readonly key: { readonly tonic: number; readonly mode: "major" | "minor"; readonly confidence: number };
}

/** How many points the loudness and brightness curves have. */
export const ENVELOPE_POINTS = 48;

/** Edges of the frequency bands of {@link AudioFeatures.bands}, in Hz. */
export const BANDS = [40, 120, 250, 500, 1000, 2000, 4000, 8000] as const;

/** The key as people write it: "A minor", "E♭ major". */
export function keyName(key: AudioFeatures["key"]): string {
  return `${PITCH_CLASSES[key.tonic]} ${key.mode}`;
}

/**
 * A stable 32-byte digest of the features, rounded so that the last bits of floating-point noise cannot change
 * it: the same audio gives the same seed, so the same covers (the "seeded from the audio").
 */
export function featureDigest(f: AudioFeatures): Buffer {
  const r = (x: number) => Math.round(x * 1e4) / 1e4;
  const canonical = JSON.stringify([
    r(f.durationS),
    r(f.loudnessDb),
    r(f.dynamicRangeDb),
    f.envelope.map(r),
    f.brightnessCurve.map(r),
    f.tempoBpm === null ? null : r(f.tempoBpm),
    r(f.pulseClarity),
    r(f.centroidHz),
    r(f.noisiness),
    f.bands.map(r),
    f.chroma.map(r),
    f.key.tonic,
    f.key.mode,
  ]);
  return createHash("sha256").update(canonical).digest();
}
