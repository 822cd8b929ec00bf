/**
 * The bounds every decode and every written file keep (DESIGN invariant 8), and the errors that say a source
 * passed them. A container's stated duration can lie (an MP3 without a Xing header is timed by its first
 * frame's bit rate), so the caps are enforced on what the decoder delivers, not on what a probe read.
 */
import { HooklineError } from "../lib/errors.js";

/**
 * Grace over a duration cap: encoders pad the end (MP3 and AAC by up to ~50 ms) and containers round, so a
 * source at exactly the limit must not be refused for its padding.
 */
export const DURATION_SLACK_S = 0.25;

/**
 * How far past the cap (and its slack) a capped decode reads: a resampled stream may end a few samples short
 * of its input, so a margin tells "went past the cap" from "ended right at it".
 */
const OVERRUN_S = 0.1;

/** A duration cap as a decode sees it: the seconds accepted, and the seconds ffmpeg is told to read (`-t`). */
export interface DurationCap {
  /** The cap as configured, for messages. */
  readonly maxS: number;
  /** Decoded audio longer than this is refused. */
  readonly acceptS: number;
  /** The input's `-t`: a little more than `acceptS`, so that passing it shows. */
  readonly readS: number;
}

/** The cap for `maxDurationS`, or null for none. Throws "bad_request" for a cap that is not positive. */
export function durationCap(maxDurationS: number | undefined): DurationCap | null {
  if (maxDurationS === undefined) return null;
  if (!(Number.isFinite(maxDurationS) && maxDurationS > 0)) {
    throw new HooklineError("bad_request", "maxDurationS must be positive");
  }
  const acceptS = maxDurationS + DURATION_SLACK_S;
  return { maxS: maxDurationS, acceptS, readS: acceptS + OVERRUN_S };
}

const seconds = (s: number): string => `${Number(s.toFixed(2))} s`;

/** The failure of a source longer than the cap, the same whichever decode found it. */
export function tooLong(cap: DurationCap): HooklineError {
  return new HooklineError("payload_too_large", `the audio is longer than the ${seconds(cap.maxS)} limit`);
}

/** "2048 MB", "1.5 MB", "100000 bytes": in the unit the configuration uses (MB of 2^20 bytes). */
export function formatBytes(bytes: number): string {
  const mb = bytes / 2 ** 20;
  return mb >= 1 ? `${Number(mb.toFixed(1))} MB` : `${bytes} bytes`;
}

/** The failure of a conversion whose output passed `maxBytes`. */
export function tooLarge(maxBytes: number): HooklineError {
  return new HooklineError(
    "payload_too_large",
    `the WAV would be larger than the ${formatBytes(maxBytes)} limit for one result`,
  );
}

/** The source caps of the configuration (`config.limits`). */
export interface SourceLimits {
  readonly maxSourceSeconds: number;
  readonly maxChannels: number;
  readonly maxSampleRate: number;
}

/**
 * Refuses (`payload_too_large`, 413 / 422) a source whose stated shape passes a cap, before any work: the channel
 * count and sample rate multiply everything a conversion or an analysis costs. The stated duration is checked
 * here too; the decodes check what really plays (see {@link tooLong}).
 */
export function checkSourceShape(
  shape: { readonly durationS: number; readonly sampleRate: number; readonly channels: number },
  limits: SourceLimits,
): void {
  if (shape.channels > limits.maxChannels) {
    throw new HooklineError(
      "payload_too_large",
      `The audio has ${shape.channels} channels; the limit is ${limits.maxChannels}`,
    );
  }
  if (shape.sampleRate > limits.maxSampleRate) {
    throw new HooklineError(
      "payload_too_large",
      `The audio's sample rate is ${shape.sampleRate} Hz; the limit is ${limits.maxSampleRate} Hz`,
    );
  }
  if (shape.durationS > limits.maxSourceSeconds) {
    throw new HooklineError(
      "payload_too_large",
      `Audio is ${Math.round(shape.durationS)} s long; the limit is ${limits.maxSourceSeconds} s`,
    );
  }
}
