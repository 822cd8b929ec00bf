/**
 * Voice activity, the signal-processing way: a frame is *voiced* when it is periodic in the pitch range (the
 * vocal folds vibrate) and stands out of the recording's noise floor. Noise of any colour, silence and clicks
 * are not periodic after spectral whitening, so they are not voice; a sung or spoken vowel is. Unvoiced
 * consonants are not counted either: the speaker features are read from voiced frames only.
 */
import type { Frames } from "./frames.js";

/** Thresholds of {@link detectVoice}; measured on espeak-ng speech and sox noises (docs/voice-verification.md). */
export const VAD = {
  /** Minimum periodicity of a voiced frame (whitened autocorrelation peak, 0–1). */
  periodicity: 0.45,
  /** A voiced frame is at least this far above the noise floor, in dB. */
  aboveFloorDb: 6,
  /** …and above this absolute level, in dBFS. */
  minLevelDb: -60,
  /** Level of digital silence used in place of -∞, in dBFS. */
  silenceDb: -100,
} as const;

/** What voice activity detection found. */
export interface VoiceActivity {
  /** One flag per frame. */
  readonly voiced: Uint8Array;
  readonly voicedFrames: number;
  /**
   * Noise floor: the 10th percentile of the levels of the aperiodic frames, in dBFS ({@link VAD.silenceDb} when
   * almost every frame is periodic, as in a sung segment without a pause).
   */
  readonly floorDb: number;
}

/** The q-quantile (0–1) of values (sorted copy). */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))]!;
}

/**
 * Marks voiced frames: periodic, above the floor, and confirmed by a majority of the 5 frames around (a lone
 * periodic frame in noise is a fluke, a lone gap in a vowel is a glitch).
 */
export function detectVoice(frames: Frames): VoiceActivity {
  const n = frames.count;
  const levels = frames.levelDb.map((l) => Math.max(l, VAD.silenceDb));
  const aperiodic = levels.filter((_, i) => frames.periodicity[i]! < VAD.periodicity);
  const floorDb = aperiodic.length >= Math.max(5, n / 20) ? quantile(aperiodic, 0.1) : VAD.silenceDb;
  const gate = Math.max(VAD.minLevelDb, floorDb + VAD.aboveFloorDb);
  const raw = new Uint8Array(n);
  for (let i = 0; i < n; i++) raw[i] = frames.periodicity[i]! >= VAD.periodicity && levels[i]! > gate ? 1 : 0;
  const voiced = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    let votes = 0;
    for (let j = i - 2; j <= i + 2; j++) votes += j >= 0 && j < n ? raw[j]! : 0;
    if (votes >= 3) {
      voiced[i] = 1;
      count++;
    }
  }
  return { voiced, voicedFrames: count, floorDb };
}
