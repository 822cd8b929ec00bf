import type { Services } from "../../app/services.js";
import { HooklineError } from "../../lib/errors.js";
import { DURATION_SLACK_S, probeAudio } from "../../media/index.js";
import { type Analysis, analyseRecording, judge } from "../../speech/index.js";

/** Segment lengths `validate` accepts, in seconds (spec 13: over 60 s answers at once). */
export const SEGMENT = { minS: 3, maxS: 60 } as const;
/** Voiced sound needed: in the source segment, and in the verification recording. */
export const MIN_VOICED_S = { source: 2, verification: 1 } as const;
/** The longest verification recording analysed, in seconds. */
export const MAX_VERIFICATION_S = 60;

const fmt = (s: number) => `${Number(s.toFixed(2))} s`;

/**
 * Probes, decodes and judges a recording (or its segment `[startS, endS]`). Every problem with the audio is a
 * `bad_request` whose message the person can act on; it ends the task with code 400.
 */
export async function inspectRecording(
  services: Services,
  path: string,
  opts: {
    field: string;
    what: string;
    minVoicedS: number;
    signal: AbortSignal;
    startS?: number;
    endS?: number;
  },
): Promise<Analysis> {
  const probe = await probeAudio(services.ffmpeg, path, { signal: opts.signal, timeoutMs: 60_000 });
  if (probe.kind !== "audio") {
    throw new HooklineError(
      "unsupported_media",
      `${opts.field} is not audio that can be decoded: ${probe.reason}`,
    );
  }
  if (probe.durationS > services.config.limits.maxSourceSeconds) {
    throw new HooklineError(
      "payload_too_large",
      `${opts.field} is ${Math.round(probe.durationS)} s long; the limit is ${services.config.limits.maxSourceSeconds} s`,
    );
  }
  let range: { startS: number; endS: number } | null = null;
  if (opts.startS !== undefined && opts.endS !== undefined) {
    if (opts.endS > probe.durationS + DURATION_SLACK_S) {
      throw new HooklineError(
        "bad_request",
        `The segment ${fmt(opts.startS)}–${fmt(opts.endS)} lies outside the recording, which is ${fmt(probe.durationS)} long.`,
      );
    }
    range = { startS: opts.startS, endS: Math.min(opts.endS, probe.durationS) };
  } else if (probe.durationS > MAX_VERIFICATION_S + DURATION_SLACK_S) {
    throw new HooklineError(
      "bad_request",
      `${opts.field} is ${fmt(probe.durationS)} long; a verification recording may be at most ${MAX_VERIFICATION_S} s.`,
    );
  }
  const analysis = await analyseRecording(services.ffmpeg, path, {
    ...(range ?? {}),
    signal: opts.signal,
    timeoutMs: 120_000,
  });
  const verdict = judge(analysis, opts.minVoicedS, opts.what);
  if (!verdict.ok) throw new HooklineError("bad_request", verdict.message);
  return analysis;
}
