import { HooklineError } from "../../lib/errors.js";
import { DURATION_SLACK_S } from "../../media/index.js";
import type { Services } from "../../services/index.js";
import { type Analysis, analyseRecording, judge } from "../../speech/index.js";

/** Segment lengths `validate` accepts, in seconds (spec 13: over 60 s answers at once). */
export const SEGMENT = { minS: 3, maxS: 60 } as const;
/** Voiced sound needed: in the source segment, and in the verification recording. */
export const MIN_VOICED_S = { source: 2, verification: 1 } as const;
/** The longest verification recording analysed, in seconds. */
export const MAX_VERIFICATION_S = 60;

const fmt = (s: number) => `${Number(s.toFixed(2))} s`;

/**
 * Decodes and judges a recording (or its segment `[startS, endS]`). Every problem with the audio is an error
 * whose message the person can act on; it ends the task with code 400. There is no separate probe: only the
 * segment is decoded (a long source costs no more than its segment), and what the decoder delivers tells whether
 * the segment lies inside the recording. A browser's WebM states no duration, so a probe would decode it twice.
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
  const ranged = opts.startS !== undefined && opts.endS !== undefined;
  const startS = opts.startS ?? 0;
  // Without a range, one second more than allowed is enough to tell that a take is too long.
  const endS = ranged ? opts.endS! : MAX_VERIFICATION_S + 1;
  let analysis: Analysis;
  try {
    analysis = await analyseRecording(services.ffmpeg, path, {
      startS,
      endS,
      signal: opts.signal,
      timeoutMs: 120_000,
    });
  } catch (error) {
    if (error instanceof HooklineError && error.code === "unsupported_media") {
      const why = error.message.replace(/^the audio could not be decoded: /, "");
      throw new HooklineError("unsupported_media", `${opts.field} is not audio that can be decoded: ${why}`);
    }
    throw error;
  }
  if (ranged && analysis.durationS < endS - startS - DURATION_SLACK_S) {
    const where =
      analysis.durationS === 0 ? `ends before ${fmt(startS)}` : `is ${fmt(startS + analysis.durationS)} long`;
    throw new HooklineError(
      "bad_request",
      `The segment ${fmt(startS)}–${fmt(endS)} lies outside the recording, which ${where}.`,
    );
  }
  if (!ranged && analysis.durationS > MAX_VERIFICATION_S + DURATION_SLACK_S) {
    throw new HooklineError(
      "bad_request",
      `${opts.field} is longer than ${MAX_VERIFICATION_S} s; a verification recording may be at most ${MAX_VERIFICATION_S} s.`,
    );
  }
  const verdict = judge(analysis, opts.minVoicedS, opts.what);
  if (!verdict.ok) throw new HooklineError("bad_request", verdict.message);
  return analysis;
}

/** The inspection of validate: the source's segment, which needs {@link MIN_VOICED_S.source} of voice. */
export function inspectSource(
  services: Services,
  path: string,
  segment: { readonly startS: number; readonly endS: number },
  signal: AbortSignal,
): Promise<Analysis> {
  return inspectRecording(services, path, {
    field: "voiceUrl",
    what: "source segment",
    minVoicedS: MIN_VOICED_S.source,
    signal,
    startS: segment.startS,
    endS: segment.endS,
  });
}

/** The inspection of generate: the whole verification recording. */
export function inspectVerification(
  services: Services,
  path: string,
  signal: AbortSignal,
): Promise<Analysis> {
  return inspectRecording(services, path, {
    field: "verifyUrl",
    what: "verification recording",
    minVoicedS: MIN_VOICED_S.verification,
    signal,
  });
}
