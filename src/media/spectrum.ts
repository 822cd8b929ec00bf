/**
 * Short-time spectra of a sample stream, the common ground of the audio analyses (cover art reads brightness,
 * pitch classes and onsets from them; the voice checks build speaker features on them). Samples arrive in chunks
 * of any length (as {@link decodePcm} yields them); frames are cut across chunk boundaries, so memory stays at
 * one frame whatever the length of the audio. The FFT is `fft.js` (radix-4, real input).
 * @module
 */
import FFT from "fft.js";

/** Options for {@link createStft}. */
export interface StftOptions {
  /** Frame length in samples; a power of two (fft.js needs one), at least 4. */
  readonly size: number;
  /** Samples between the starts of two frames (1 ≤ hop ≤ size). */
  readonly hop: number;
}

/**
 * Receives each frame's power spectrum: `power[k]` = |X[k]|² for bins 0…size/2 (bin k is k·rate/size Hz), of the
 * Hann-windowed frame. The array is reused for the next frame: copy what you keep.
 */
export type FrameSink = (power: Float32Array, frameIndex: number) => void;

/** A streaming short-time Fourier transform; see {@link createStft}. */
export interface Stft {
  readonly size: number;
  readonly hop: number;
  /** Number of bins of each spectrum (size/2 + 1). */
  readonly bins: number;
  /** Feeds samples; calls `sink` for every frame completed by them. */
  push(samples: Float32Array, sink: FrameSink): void;
  /** Frames emitted so far. */
  readonly frames: number;
}

/** The periodic Hann window (the usual choice for overlapping analysis frames). */
export function hannWindow(size: number): Float32Array {
  const w = new Float32Array(size);
  for (let i = 0; i < size; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
  return w;
}

/**
 * Makes a streaming STFT. The frame starting at sample `i·hop` is emitted once its last sample has arrived;
 * a trailing partial frame is never emitted.
 *
 * @example
 * const stft = createStft({ size: 1024, hop: 512 });
 * let energy = 0;
 * for await (const chunk of decodePcm(ff, path, { sampleRate: 22_050, channels: 1 })) {
 *   stft.push(chunk, (power) => { for (const p of power) energy += p; });
 * }
 */
export function createStft(options: StftOptions): Stft {
  const { size, hop } = options;
  if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) {
    throw new RangeError(`STFT size must be a power of two >= 4, got ${size}`);
  }
  if (!Number.isInteger(hop) || hop < 1 || hop > size) {
    throw new RangeError(`STFT hop must be an integer in [1, ${size}], got ${hop}`);
  }
  const fft = new FFT(size);
  const window = hannWindow(size);
  const bins = size / 2 + 1;
  // A ring of the last `size` samples; `untilNext` counts the samples still needed for the next frame.
  const ring = new Float32Array(size);
  let writeAt = 0;
  let untilNext = size;
  const frame = new Float64Array(size);
  const spectrum: number[] = fft.createComplexArray() as number[];
  const power = new Float32Array(bins);
  let frames = 0;

  function emit(sink: FrameSink) {
    // Oldest sample first: the ring's read position is its write position once it is full.
    for (let i = 0; i < size; i++) frame[i] = ring[(writeAt + i) % size]! * window[i]!;
    fft.realTransform(spectrum, frame);
    for (let k = 0; k < bins; k++) {
      const re = spectrum[2 * k]!;
      const im = spectrum[2 * k + 1]!;
      power[k] = re * re + im * im;
    }
    sink(power, frames++);
  }

  return {
    size,
    hop,
    bins,
    get frames() {
      return frames;
    },
    push(samples, sink) {
      for (let i = 0; i < samples.length; i++) {
        ring[writeAt] = samples[i]!;
        writeAt = (writeAt + 1) % size;
        if (--untilNext === 0) {
          emit(sink);
          untilNext = hop;
        }
      }
    },
  };
}

/** The centre frequency in Hz of bin `k` of a `size`-point spectrum at `sampleRate`. */
export function binFrequency(k: number, size: number, sampleRate: number): number {
  return (k * sampleRate) / size;
}
