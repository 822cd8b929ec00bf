/**
 * One pass over a recording (or a segment of one): decode with ffmpeg at 16 kHz mono, measure every frame,
 * find the voiced frames, pool the speaker statistics and keep the fingerprint. Streamed: memory is a few numbers per 10 ms frame.
 */
import type { Ffmpeg } from "../media/index.js";
import { decodePcm } from "../media/index.js";
import { poolStatistics } from "./embedding.js";
import { fingerprintOf, type TakeFingerprint } from "./fingerprint.js";
import { createFrameAnalyser, FRAME, type Frames } from "./frames.js";
import { detectVoice, quantile, VAD } from "./vad.js";

/** A sample at or above this magnitude counts as clipped (lossy codecs ring around the clipped top). */
const CLIP_LEVEL = 0.99;

/** What {@link analyseRecording} measured. */
export interface Analysis {
  /** Seconds of audio analysed. */
  readonly durationS: number;
  readonly voicedS: number;
  /** Largest sample magnitude (1 = full scale). */
  readonly peak: number;
  /** Share of samples at or above full scale (0–1). */
  readonly clippedShare: number;
  /** Median level of the voiced frames, dBFS (NaN without voiced frames). */
  readonly voiceDb: number;
  /** Level of the loudest frame, dBFS. */
  readonly loudestDb: number;
  /** Median level of the quietest fifth of unvoiced frames, dBFS (the background). */
  readonly noiseDb: number;
  /** Pooled speaker statistics, or null without voiced frames. */
  readonly stats: Float64Array | null;
  /** The fingerprint of the voiced frames, to tell a copy of this recording from a new take. */
  readonly fingerprint: TakeFingerprint;
}

/** Options of {@link analyseRecording}. */
export interface AnalyseOptions {
  readonly startS?: number;
  readonly endS?: number;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** Measures frames already computed (the pure part of {@link analyseRecording}). */
export function summarise(frames: Frames, samples: number, peak: number, clipped: number): Analysis {
  const vad = detectVoice(frames);
  const voicedLevels: number[] = [];
  const other: number[] = [];
  let loudestDb: number = VAD.silenceDb;
  for (let i = 0; i < frames.count; i++) {
    const level = Math.max(frames.levelDb[i]!, VAD.silenceDb);
    if (level > loudestDb) loudestDb = level;
    (vad.voiced[i] ? voicedLevels : other).push(level);
  }
  other.sort((a, b) => a - b);
  const quiet = other.slice(0, Math.max(1, Math.ceil(other.length / 5)));
  return {
    durationS: samples / FRAME.sampleRate,
    voicedS: (vad.voicedFrames * FRAME.hop) / FRAME.sampleRate,
    peak,
    clippedShare: samples > 0 ? clipped / samples : 0,
    voiceDb: voicedLevels.length > 0 ? quantile(voicedLevels, 0.5) : Number.NaN,
    loudestDb,
    noiseDb: other.length > 0 ? quantile(quiet, 0.5) : VAD.silenceDb,
    stats: poolStatistics(frames, vad.voiced),
    fingerprint: fingerprintOf(frames.fingerprint, vad.voiced),
  };
}

/**
 * Decodes `path` (the excerpt `[startS, endS)` when given) and analyses it. Throws what {@link decodePcm}
 * throws: HooklineError("unsupported_media") for input ffmpeg cannot decode.
 *
 * @example
 * const a = await analyseRecording(ff, "/tmp/take.webm");
 * if (a.voicedS < 1) console.log("no voice");
 */
export async function analyseRecording(
  ff: Ffmpeg,
  path: string,
  opts: AnalyseOptions = {},
): Promise<Analysis> {
  const analyser = createFrameAnalyser();
  let samples = 0;
  let peak = 0;
  let clipped = 0;
  const pcm = decodePcm(ff, path, {
    sampleRate: FRAME.sampleRate,
    channels: 1,
    ...(opts.startS !== undefined ? { startS: opts.startS } : {}),
    ...(opts.endS !== undefined ? { endS: opts.endS } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
  for await (const chunk of pcm) {
    for (let i = 0; i < chunk.length; i++) {
      const m = Math.abs(chunk[i]!);
      if (m > peak) peak = m;
      if (m >= CLIP_LEVEL) clipped++;
    }
    samples += chunk.length;
    analyser.push(chunk);
  }
  return summarise(analyser.finish(), samples, peak, clipped);
}
