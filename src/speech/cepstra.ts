/**
 * Cepstral coefficients of the voiced frames, computed once the whole recording has been seen (the background
 * estimate needs all of it).
 */
import { FRAME, type Frames } from "./frames.js";
import { dctMatrix } from "./mel.js";

/** `rows × FRAME.cepstra` coefficients of the voiced frames, in order. */
export interface VoicedCepstra {
  readonly rows: number;
  readonly data: Float64Array;
  /** 1 where a row's frame directly follows the previous row's frame (for frame-to-frame changes). */
  readonly adjacent: Uint8Array;
}

/**
 * The cepstra of the voiced frames, after removing the background: the mean mel spectrum of the quietest
 * unvoiced frames is subtracted from every frame (power spectral subtraction, floored at 5 % of the frame's
 * energy), so steady noise shifts the features less.
 */
export function voicedCepstra(frames: Frames, voiced: Uint8Array): VoicedCepstra {
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
  const dct = dctMatrix(FRAME.cepstra, bands);
  const rows: number[] = [];
  for (let i = 0; i < frames.count; i++) if (voiced[i]) rows.push(i);
  const data = new Float64Array(rows.length * FRAME.cepstra);
  const logMel = new Float64Array(bands);
  rows.forEach((i, r) => {
    for (let m = 0; m < bands; m++) {
      const e = frames.mel[i * bands + m]!;
      logMel[m] = Math.log(Math.max(e - noise[m]!, 0.05 * e) + 1e-10);
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
  return { rows: rows.length, data, adjacent };
}
