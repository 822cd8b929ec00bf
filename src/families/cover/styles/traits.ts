/**
 * The audio's character as a few numbers in 0–1, the vocabulary the styles and the palette compose with: so that
 * "loud", "bright" or "dynamic" mean the same in every style.
 */
import type { AudioFeatures } from "../../../media/analysis/index.js";

/** Normalised traits of one track. */
export interface Traits {
  /** Tempo 60–200 BPM as 0–1; null without a beat. */
  readonly pace: number | null;
  /** Mean loudness, -40…-8 dBFS as 0–1. */
  readonly loud: number;
  /** Spread between loud and quiet passages, 0–30 dB as 0–1. */
  readonly dynamic: number;
  /** Spectral centroid on a log scale (0.005–0.4 of the band) as 0–1. */
  readonly bright: number;
  /** Spectral flatness, scaled so that hats and noise reach 1. */
  readonly noisy: number;
  /** Treble share minus bass share, -1…1. */
  readonly tilt: number;
  /** Where the loudest moment is, 0 (start) … 1 (end). */
  readonly climax: number;
  /** How the track grows: mean loudness of its last third minus its first third, -1…1. */
  readonly arc: number;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const mean = (xs: readonly number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * How brightness (centroid as a fraction of 8 kHz: about 0.01 for a bass-heavy drone, 0.4 for noise) maps to 0–1,
 * on a log scale: an octave of centroid is the same step anywhere.
 */
const brightness01 = (b: number) => clamp01(Math.log2(Math.max(b, 1e-6) / 0.005) / Math.log2(0.4 / 0.005));

/** The traits of a track's features. */
export function traitsOf(f: AudioFeatures): Traits {
  const bands = f.bands;
  const low = (bands[0] ?? 0) + (bands[1] ?? 0);
  const high = (bands.at(-1) ?? 0) + (bands.at(-2) ?? 0);
  const third = Math.max(1, Math.floor(f.envelope.length / 3));
  const peak = f.envelope.indexOf(Math.max(...f.envelope));
  return {
    pace: f.tempoBpm === null ? null : clamp01((f.tempoBpm - 60) / 140),
    loud: clamp01((f.loudnessDb + 40) / 32),
    dynamic: clamp01(f.dynamicRangeDb / 30),
    bright: brightness01(f.brightness),
    noisy: clamp01(f.noisiness * 20),
    tilt: Math.max(-1, Math.min(1, high - low)),
    climax: f.envelope.length > 1 ? Math.max(0, peak) / (f.envelope.length - 1) : 0.5,
    arc: Math.max(-1, Math.min(1, mean(f.envelope.slice(-third)) - mean(f.envelope.slice(0, third)))),
  };
}
