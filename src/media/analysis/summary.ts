/**
 * The end of the analysis: the running sums and per-frame series of one track reduced to its {@link AudioFeatures}.
 * @module
 */
import { type AudioFeatures, ENVELOPE_POINTS } from "./features.js";
import { estimateKey } from "./key.js";
import { percentile, type Series, segmentMeans } from "./series.js";
import { estimateTempo } from "./tempo.js";

const SILENCE_DB = -100;

/** What the streaming pass collected. */
export interface Sums {
  readonly samples: number;
  readonly db: Series;
  readonly energy: Series;
  readonly centroid: Series;
  readonly flux: Series;
  readonly chroma: Float64Array;
  readonly bands: Float64Array;
  readonly flatness: number;
}

function shares(values: Float64Array): number[] {
  const total = values.reduce((s, x) => s + x, 0);
  return Array.from(values, (x) => (total > 0 ? x / total : 1 / values.length));
}

/** Reduces the collected sums of a pass at `rate` Hz with frames every `hop` samples. */
export function summarise(s: Sums, { rate, hop }: { rate: number; hop: number }): AudioFeatures {
  const energy = s.energy.values();
  const meanSquare = energy.reduce((a, x) => a + x, 0) / energy.length;
  const segmentEnergy = segmentMeans(energy, ENVELOPE_POINTS);
  const segmentDb = segmentEnergy.map((e) => (e > 1e-10 ? 10 * Math.log10(e) : SILENCE_DB));
  const loudest = Math.max(...segmentDb);
  // A 40 dB window under the loudest segment: quieter parts read as 0.
  const envelope = segmentDb.map((d) => Math.max(0, Math.min(1, (d - (loudest - 40)) / 40)));
  const nyquist = rate / 2;
  const brightnessCurve = segmentMeans(s.centroid.values(), ENVELOPE_POINTS, energy).map((c) => c / nyquist);
  const centroidHz = segmentMeans(s.centroid.values(), 1, energy)[0] ?? 0;
  const audible = s.db.values().filter((d) => d > -80);
  const tempo = estimateTempo(s.flux.values(), rate / hop);
  const chroma = shares(s.chroma);
  return {
    durationS: s.samples / rate,
    loudnessDb: meanSquare > 1e-10 ? 10 * Math.log10(meanSquare) : SILENCE_DB,
    dynamicRangeDb: audible.length > 0 ? percentile(audible, 95) - percentile(audible, 10) : 0,
    envelope,
    brightnessCurve,
    tempoBpm: tempo.bpm,
    pulseClarity: tempo.clarity,
    centroidHz,
    brightness: centroidHz / nyquist,
    noisiness: Math.max(0, Math.min(1, s.flatness)),
    bands: shares(s.bands),
    chroma,
    key: estimateKey(chroma),
  };
}
