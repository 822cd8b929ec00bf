/**
 * The track analysis behind the covers: one streaming pass over the decoded audio (mono, 16 kHz, never the whole
 * file in memory) through the shared STFT; each frame adds to running sums (band energy, chroma, centroid,
 * flatness) and to three small per-frame series (loudness, centroid, onset strength), which are summarised at
 * the end. Cost is linear in the length: about 5,600 frames for three minutes.
 * @module
 */
import { HooklineError } from "../../lib/errors.js";
import type { Ffmpeg } from "../ffmpeg.js";
import { decodePcm } from "../pcm.js";
import { createStft } from "../spectrum.js";
import { type AudioFeatures, BANDS } from "./features.js";
import { pitchClassOfBins } from "./key.js";
import { Series } from "./series.js";
import { summarise } from "./summary.js";

/** Analysis rate: 8 kHz of bandwidth is plenty for brightness, pitch and onsets, and decodes cheaply. */
const RATE = 16_000;
const SIZE = 2048;
/** 32 ms between frames: fine enough for tempo up to 200 BPM. */
const HOP = 512;
/** Onset bands: log-spaced between these edges; flux over bands is steadier (and cheaper) than over bins. */
const ONSET_BANDS = 36;
const SILENCE_DB = -100;

/** Options of {@link analyseTrack}. */
export interface AnalyseOptions {
  readonly signal?: AbortSignal;
  /** Kills the decoder after this long (HooklineError "timeout"). */
  readonly timeoutMs?: number;
  /**
   * The source length cap: a track that plays longer (whatever its header says) stops the decode there and
   * fails with HooklineError "payload_too_large" rather than being analysed in part.
   */
  readonly maxDurationS?: number;
}

function bandIndexOfBins(edges: readonly number[], bins: number): Int16Array {
  const map = new Int16Array(bins).fill(-1);
  for (let k = 1; k < bins; k++) {
    const hz = (k * RATE) / SIZE;
    for (let b = 0; b + 1 < edges.length; b++) if (hz >= edges[b]! && hz < edges[b + 1]!) map[k] = b;
  }
  return map;
}

/**
 * Adds the spectral peaks of a frame to the pitch-class sums. Only local maxima count, each at its frequency
 * refined by a parabola through the log power of the three bins: a low note's window lobe spreads over bins of
 * neighbouring semitones, and counting every bin would credit those.
 */
function addPeaks(power: Float32Array, pcOf: Int8Array, chroma: Float64Array): void {
  for (let k = 2; k < pcOf.length - 1; k++) {
    if (pcOf[k]! < 0) continue;
    const b = power[k]!;
    if (!(b > power[k - 1]! && b >= power[k + 1]! && b > 1e-9)) continue;
    const la = Math.log(power[k - 1]! + 1e-12);
    const lb = Math.log(b);
    const lc = Math.log(power[k + 1]! + 1e-12);
    const d = la - 2 * lb + lc;
    const offset = d < 0 ? (0.5 * (la - lc)) / d : 0;
    const hz = ((k + offset) * RATE) / SIZE;
    const pc = (((Math.round(69 + 12 * Math.log2(hz / 440)) % 12) + 12) % 12) as number;
    chroma[pc]! += Math.sqrt(b);
  }
}

const onsetEdges = Array.from({ length: ONSET_BANDS + 1 }, (_, i) => 40 * (7800 / 40) ** (i / ONSET_BANDS));

/**
 * Decodes `path` with ffmpeg and computes its {@link AudioFeatures}. Throws HooklineError "unsupported_media"
 * when the file does not decode (the decoder's reason in the message), "payload_too_large" past `maxDurationS`.
 *
 * @example
 * const input = await blobs.local(key, signal);
 * const f = await analyseTrack(services.ffmpeg, input.path, { signal, maxDurationS: 3600 }).finally(input.release);
 * console.log(f.tempoBpm, keyName(f.key));
 */
export async function analyseTrack(
  ff: Ffmpeg,
  path: string,
  opts: AnalyseOptions = {},
): Promise<AudioFeatures> {
  const stft = createStft({ size: SIZE, hop: HOP });
  const bins = stft.bins;
  const pcOf = pitchClassOfBins(SIZE, RATE);
  const bandOf = bandIndexOfBins(BANDS, bins);
  const onsetOf = bandIndexOfBins(onsetEdges, bins);
  const chroma = new Float64Array(12);
  const bands = new Float64Array(BANDS.length - 1);
  const onsetBands = new Float64Array(ONSET_BANDS);
  const previous = new Float64Array(ONSET_BANDS);
  const db = new Series();
  const energy = new Series();
  const centroid = new Series();
  const flux = new Series();
  let flatnessSum = 0;
  let weightSum = 0;
  let samples = 0;
  // Parseval for a one-sided spectrum of a Hann-windowed frame: mean square = (2·Σpower) / (N² · 0.375).
  const toMeanSquare = 2 / (SIZE * SIZE * 0.375);

  const onFrame = (power: Float32Array) => {
    let total = 0;
    let weighted = 0;
    let logSum = 0;
    onsetBands.fill(0);
    for (let k = 1; k < bins; k++) {
      const p = power[k]!;
      total += p;
      weighted += p * k;
      logSum += Math.log(p + 1e-12);
      const band = bandOf[k]!;
      if (band >= 0) bands[band]! += p;
      const ob = onsetOf[k]!;
      if (ob >= 0) onsetBands[ob]! += p;
    }
    addPeaks(power, pcOf, chroma);
    const ms = total * toMeanSquare;
    energy.push(ms);
    db.push(ms > 1e-10 ? 10 * Math.log10(ms) : SILENCE_DB);
    centroid.push(total > 0 ? ((weighted / total) * RATE) / SIZE : 0);
    if (total > 0) {
      const flatness = Math.exp(logSum / (bins - 1)) / (total / (bins - 1));
      flatnessSum += flatness * ms;
      weightSum += ms;
    }
    let f = 0;
    for (let b = 0; b < ONSET_BANDS; b++) {
      const level = Math.log1p(10 * Math.sqrt(onsetBands[b]! / SIZE));
      if (level > previous[b]!) f += level - previous[b]!;
      previous[b] = level;
    }
    flux.push(f);
  };

  for await (const chunk of decodePcm(ff, path, { sampleRate: RATE, channels: 1, ...opts })) {
    samples += chunk.length;
    stft.push(chunk, onFrame);
  }
  if (samples === 0)
    throw new HooklineError(
      "unsupported_media",
      "the audio could not be decoded: the track holds no samples",
    );
  // Zeros flush the last partial frame, so that even a track shorter than one frame gives one.
  stft.push(new Float32Array(SIZE), onFrame);
  return summarise(
    {
      samples,
      db,
      energy,
      centroid,
      flux,
      chroma,
      bands,
      flatness: flatnessSum / (weightSum || 1),
    },
    { rate: RATE, hop: HOP },
  );
}
