/**
 * Speech analysis for the custom-voice family: frame measurements, voice activity, usability of a recording,
 * the speaker embedding with its calibrated comparison, and the fingerprint that tells a replay of the source
 * from a new take. Pure signal processing on ffmpeg's decode; no model is downloaded or shipped
 * (docs/voice-verification.md).
 * @module
 */
export { type AnalyseOptions, type Analysis, analyseRecording, summarise } from "./analyse.js";
export { embed, type Projection, poolStatistics, STATS_SIZE, similarity } from "./embedding.js";
export {
  createFingerprinter,
  FINGERPRINT,
  type Fingerprint,
  type Fingerprinter,
  type TakeFingerprint,
} from "./fingerprint.js";
export { decodeFingerprint, encodeFingerprint } from "./fingerprint-text.js";
export { createFrameAnalyser, FRAME, type FrameAnalyser, type Frames } from "./frames.js";
export { dctMatrix, melFilters } from "./mel.js";
export { matchReplay, REPLAY, type ReplayMatch, type ReplaySettings } from "./replay.js";
export { judge, type UnusableReason, USABILITY, type Verdict } from "./usability.js";
export { detectVoice, quantile, VAD, type VoiceActivity } from "./vad.js";
export {
  compareSpeakers,
  SPEAKER_MODEL,
  type SpeakerMatch,
  type SpeakerModel,
} from "./verify.js";
