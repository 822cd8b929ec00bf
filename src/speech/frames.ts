/**
 * Frame-by-frame measurements of a voice recording, on the shared streaming STFT: level, periodicity (how
 * voiced a frame is), pitch, mel-frequency cepstral coefficients, and a fingerprint word. Everything later (voice activity,
 * usability, the speaker embedding) is computed from these per-frame rows.
 */
import FFT from "fft.js";
import { createStft } from "../media/index.js";
import { floats } from "./column.js";
import { createFingerprinter } from "./fingerprint.js";
import { type MelFilter, melFilters } from "./mel.js";

/** The analysis settings; fixed, because the calibration of the speaker check depends on them. */
export const FRAME = {
  /** Samples per second the audio is decoded at. */
  sampleRate: 16_000,
  /** 64 ms window: at least three periods of a 60 Hz voice, for the periodicity measure. */
  size: 1024,
  /** 10 ms hop. */
  hop: 160,
  melBands: 40,
  lowHz: 60,
  highHz: 7_600,
  /** Cepstral coefficients c0…c(n-1) kept per frame. */
  cepstra: 20,
  /** Pitch search range in Hz (speech and singing). */
  minF0: 60,
  maxF0: 600,
} as const;

/** The rows of every frame, in arrays indexed by frame. */
export interface Frames {
  readonly count: number;
  /** Mean square level in dB relative to full scale (a full-scale sine is -3 dB). */
  readonly levelDb: Float32Array;
  /** Peak of the normalised autocorrelation in the pitch range: ~0 for noise, near 1 for a steady voice. */
  readonly periodicity: Float32Array;
  /** Pitch estimate in Hz where the frame is periodic (meaningless elsewhere). */
  readonly f0: Float32Array;
  /** `count × FRAME.melBands` mel filterbank energies (linear power), row-major. */
  readonly mel: Float32Array;
  /** One fingerprint word per frame and its reliable bits (src/speech/fingerprint.ts): a copy or a new take? */
  readonly fingerprint: { readonly words: Uint32Array; readonly reliable: Uint32Array };
}

/** A streaming analyser: `push` decoded samples (16 kHz mono), then `finish`. */
export interface FrameAnalyser {
  push(samples: Float32Array): void;
  finish(): Frames;
}

/** Makes a {@link FrameAnalyser} with the fixed settings of {@link FRAME}. */
export function createFrameAnalyser(): FrameAnalyser {
  const { size, hop, sampleRate, melBands } = FRAME;
  const stft = createStft({ size, hop });
  const filters: MelFilter[] = melFilters(melBands, size, sampleRate, FRAME.lowHz, FRAME.highHz);
  const fft = new FFT(size);
  const half = size / 2;
  // Hann window energy, to turn the power spectrum back into a mean square level (Parseval).
  const windowPower = (size * 3) / 8;
  const minLag = Math.floor(sampleRate / FRAME.maxF0);
  const maxLag = Math.ceil(sampleRate / FRAME.minF0);
  // The Hann window's own normalised autocorrelation, divided out so a steady tone scores ~1 (Boersma 1993).
  const windowAc = new Float32Array(maxLag + 2);
  for (let lag = 0; lag < windowAc.length; lag++) {
    const t = lag / size;
    windowAc[lag] =
      (1 - t) * (2 / 3 + (1 / 3) * Math.cos(2 * Math.PI * t)) + Math.sin(2 * Math.PI * t) / (2 * Math.PI);
  }
  const whitened = new Float64Array(size);
  const acOut = fft.createComplexArray() as number[];
  const envelope = new Float64Array(half + 1);
  const prefix = new Float64Array(half + 2);
  const cols = { level: floats(), periodicity: floats(), f0: floats(), mel: floats() };
  const fingerprinter = createFingerprinter(size, sampleRate);
  // Spectral whitening width: wider than the harmonic spacing of the highest voice, so that harmonics survive
  // and coloured noise (pink, brown, hum-free rumble) does not look periodic.
  const smooth = 24;
  // Only the harmonics below 2 kHz count: above, a gliding pitch smears them and whitening lifts mostly noise.
  const cutBin = Math.round((2_000 * size) / sampleRate);

  function frame(power: Float32Array) {
    let total = power[0]! + power[half]!;
    for (let k = 1; k < half; k++) total += 2 * power[k]!;
    const meanSquare = total / (size * windowPower);
    cols.level.push(10 * Math.log10(meanSquare + 1e-12));

    for (let m = 0; m < melBands; m++) {
      const f = filters[m]!;
      let sum = 0;
      for (let i = 0; i < f.weights.length; i++) sum += f.weights[i]! * power[f.start + i]!;
      cols.mel.push(sum);
    }
    fingerprinter.push(power);

    // Periodicity: autocorrelation of the whitened spectrum (inverse transform of a real, even sequence).
    prefix[0] = 0;
    for (let k = 0; k <= half; k++) prefix[k + 1] = prefix[k]! + power[k]!;
    for (let k = 0; k <= half; k++) {
      const lo = Math.max(0, k - smooth);
      const hi = Math.min(half, k + smooth);
      envelope[k] = (prefix[hi + 1]! - prefix[lo]!) / (hi - lo + 1);
    }
    const floor = (total / size) * 1e-6 + 1e-20;
    for (let k = 0; k <= half; k++) {
      const w = k > cutBin ? 0 : power[k]! / (envelope[k]! + floor);
      whitened[k] = w;
      if (k > 0 && k < half) whitened[size - k] = w;
    }
    fft.realTransform(acOut, whitened);
    const r0 = acOut[0]!;
    let best = 0;
    let bestLag = minLag;
    if (r0 > 0) {
      for (let lag = minLag; lag <= maxLag; lag++) {
        const r = acOut[2 * lag]! / r0 / windowAc[lag]!;
        if (r > best) {
          best = r;
          bestLag = lag;
        }
      }
      // Multiples of the period score as high as the period itself: take the shortest lag that nearly matches.
      for (let lag = minLag; lag < bestLag; lag++) {
        const r = acOut[2 * lag]! / r0 / windowAc[lag]!;
        const prev = acOut[2 * (lag - 1)]! / r0 / windowAc[lag - 1]!;
        const next = acOut[2 * (lag + 1)]! / r0 / windowAc[lag + 1]!;
        if (r >= 0.9 * best && r >= prev && r >= next) {
          bestLag = lag;
          break;
        }
      }
    }
    cols.periodicity.push(Math.min(best, 1));
    cols.f0.push(sampleRate / bestLag);
  }

  return {
    push(samples) {
      stft.push(samples, frame);
    },
    finish() {
      return {
        count: cols.level.length,
        levelDb: cols.level.done(),
        periodicity: cols.periodicity.done(),
        f0: cols.f0.done(),
        mel: cols.mel.done(),
        fingerprint: fingerprinter.finish(),
      };
    },
  };
}
