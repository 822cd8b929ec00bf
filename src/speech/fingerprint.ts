/**
 * An audio fingerprint in the style of Haitsma and Kalker (2002): one 32-bit word per 10 ms frame, bit b the sign
 * of the change, from one frame to the next, of the energy difference between bands b and b+1. The signs survive
 * what a copy goes through (gain, lossy codecs, resampling, a little noise) but not a new performance, so two
 * recordings whose words agree at some alignment are the same take (src/speech/replay.ts). As Haitsma and Kalker
 * suggest, each frame also marks its most reliable bits (the largest changes), which noise is least likely to flip.
 */
import { wordColumn } from "./column.js";

/** The fingerprint settings; fixed, because stored fingerprints and the replay threshold depend on them. */
export const FINGERPRINT = {
  /** 33 bands give the 32 bits of a word. */
  bands: 33,
  /**
   * Haitsma–Kalker's range, log-spaced. Narrow bands here resolve the harmonics of a voice, so a take sung at
   * another pitch flips bits that a codec leaves alone; everything up to 2 kHz also survives 8 kHz resampling.
   */
  lowHz: 300,
  highHz: 2_000,
  /** Band energies are summed over this many frames (~84 ms): a copy shifted by half a hop keeps its bits. */
  smooth: 3,
  /** Bits per frame marked reliable: those with the largest change relative to the four energies behind it. */
  reliableBits: 16,
} as const;

/** A recording's fingerprint: one word per frame, and which frames are voiced (only those are compared). */
export interface Fingerprint {
  readonly words: Uint32Array;
  readonly voiced: Uint8Array;
}

/** A fingerprint with each frame's {@link FINGERPRINT.reliableBits} most reliable bits (not stored: a take's). */
export interface TakeFingerprint extends Fingerprint {
  readonly reliable: Uint32Array;
}

/** Streams power spectra in, words out; see {@link createFingerprinter}. */
export interface Fingerprinter {
  /** Takes one frame's power spectrum (the array may be reused by the caller). */
  push(power: Float32Array): void;
  /** Per frame so far: the word, and the mask of its reliable bits; the first {@link FINGERPRINT.smooth} have none. */
  finish(): { words: Uint32Array; reliable: Uint32Array };
}

/** Band `[start, end)` bin ranges, log-spaced, each at least one bin wide. */
function bandBins(size: number, sampleRate: number): Int32Array {
  const { bands, lowHz, highHz } = FINGERPRINT;
  const edges = new Int32Array(bands + 1);
  for (let b = 0; b <= bands; b++) {
    const hz = lowHz * (highHz / lowHz) ** (b / bands);
    edges[b] = Math.max(Math.round((hz * size) / sampleRate), b > 0 ? edges[b - 1]! + 1 : 0);
  }
  return edges;
}

/**
 * Makes a {@link Fingerprinter} for spectra of `size`-point frames at `sampleRate`.
 *
 * @example
 * const fp = createFingerprinter(1024, 16_000);
 * stft.push(samples, (power) => fp.push(power));
 * const { words } = fp.finish();
 */
export function createFingerprinter(size: number, sampleRate: number): Fingerprinter {
  const { bands, smooth, reliableBits } = FINGERPRINT;
  const edges = bandBins(size, sampleRate);
  // The last `smooth` frames' band energies (a ring), their sum now, and the sum one frame earlier. The sum is
  // recomputed from the ring: a running sum would carry rounding errors from loud frames into quiet ones.
  const ring = new Float64Array(smooth * bands);
  const sum = new Float64Array(bands);
  const previous = new Float64Array(bands);
  const strength = new Float64Array(bands - 1);
  const order = Array.from({ length: bands - 1 }, (_, b) => b);
  const byStrength = (a: number, b: number) => strength[b]! - strength[a]!;
  const words = wordColumn();
  const reliable = wordColumn();
  return {
    push(power) {
      const slot = (words.length % smooth) * bands;
      for (let b = 0; b < bands; b++) {
        let e = 0;
        for (let k = edges[b]!; k < edges[b + 1]!; k++) e += power[k]!;
        ring[slot + b] = e;
      }
      sum.fill(0);
      for (let f = 0; f < smooth; f++) {
        for (let b = 0; b < bands; b++) sum[b] = sum[b]! + ring[f * bands + b]!;
      }
      let word = 0;
      let mask = 0;
      if (words.length >= smooth) {
        for (let b = 0; b < bands - 1; b++) {
          const change = sum[b]! - sum[b + 1]! - (previous[b]! - previous[b + 1]!);
          if (change > 0) word |= 1 << b;
          const scale = sum[b]! + sum[b + 1]! + previous[b]! + previous[b + 1]!;
          strength[b] = Math.abs(change) / (scale + 1e-30);
        }
        order.sort(byStrength);
        for (let r = 0; r < reliableBits; r++) mask |= 1 << order[r]!;
      }
      previous.set(sum);
      words.push(word);
      reliable.push(mask);
    },
    finish() {
      return { words: words.done(), reliable: reliable.done() };
    },
  };
}

/** The first frames have no word: they are never counted as voiced in a {@link Fingerprint}. */
export function fingerprintOf(
  frames: { readonly words: Uint32Array; readonly reliable: Uint32Array },
  voiced: Uint8Array,
): TakeFingerprint {
  const mask = voiced.slice(0, frames.words.length);
  mask.fill(0, 0, Math.min(FINGERPRINT.smooth, mask.length));
  return { words: frames.words, reliable: frames.reliable, voiced: mask };
}
