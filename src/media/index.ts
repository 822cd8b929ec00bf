/**
 * Hookline's audio layer, on the OS's ffmpeg and ffprobe: finding them, probing and sniffing uploads,
 * converting to PCM WAV (and predicting its size), reading WAV headers, streaming decoded samples for
 * analysis, and their short-time spectra; every decode bounded in time and every output in size.
 */
export { type ConvertOptions, convertToWav, type WavResult } from "./convert.js";
export { type Ffmpeg, ffmpegInstallHelp, findFfmpeg, PDEATHSIG_LAUNCHER } from "./ffmpeg.js";
export { AUDIO_DEMUXERS } from "./formats.js";
export { checkSourceShape, DURATION_SLACK_S, formatBytes, type SourceLimits } from "./limits.js";
export { decodePcm, type PcmOptions } from "./pcm.js";
export { type ProbeOptions, type ProbeResult, probeAudio } from "./probe.js";
export { sniffMime } from "./sniff.js";
export {
  binFrequency,
  createStft,
  type FrameSink,
  hannWindow,
  type Stft,
  type StftOptions,
} from "./spectrum.js";
export { type AudioTags, cleanTagText, MAX_TAG_CHARS } from "./tags.js";
export { readWavInfo, type WavInfo } from "./wav-info.js";
export { predictWavBytes, type WavShape, wavHeaderBytes } from "./wav-size.js";
