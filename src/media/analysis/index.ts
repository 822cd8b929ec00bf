/**
 * Audio analysis for the covers: loudness envelope, tempo, brightness and spectral shape, pitch classes and key,
 * computed in one streaming pass over the decoded track.
 * @module
 */
export { type AnalyseOptions, analyseTrack } from "./analyse.js";
export {
  type AudioFeatures,
  BANDS,
  ENVELOPE_POINTS,
  featureDigest,
  keyName,
  PITCH_CLASSES,
} from "./features.js";
export { estimateKey } from "./key.js";
export { estimateTempo, type TempoEstimate } from "./tempo.js";
