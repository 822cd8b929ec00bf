/**
 * Is a recording usable to make (or verify) a voice? Each check has a stable reason code and a message that
 * tells the person what to change. Thresholds: docs/voice-verification.md.
 */
import type { Analysis } from "./analyse.js";

/** The thresholds of {@link judge} (docs/voice-verification.md, section 3). */
export const USABILITY = {
  /** Loudest 10 ms frame below this (dBFS): silence. */
  silentDb: -60,
  /** Share of samples at full scale above which a recording counts as clipped. */
  clippedShare: 0.005,
  /** Voiced frames quieter than this (median, dBFS): too quiet. */
  quietDb: -45,
  /** Voice less than this far above the background (dB): too noisy. */
  minSnrDb: 10,
} as const;

/** Why a recording is refused: a stable code, as errors have. */
export type UnusableReason = "silent" | "clipped" | "too_quiet" | "no_voice" | "too_noisy";

/** The answer of {@link judge}: usable, or the reason and a message for the person. */
export type Verdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: UnusableReason; readonly message: string };

const f1 = (x: number) => x.toFixed(1);

/**
 * Judges an analysis. `what` names the audio in messages ("source segment", "verification recording");
 * `minVoicedS` is the voiced sound it needs.
 *
 * @example
 * const v = judge(await analyseRecording(ff, path), 2, "source segment");
 * if (!v.ok) fail(v.message);
 */
export function judge(a: Analysis, minVoicedS: number, what: string): Verdict {
  const no = (reason: UnusableReason, message: string): Verdict => ({ ok: false, reason, message });
  if (a.durationS === 0 || a.loudestDb < USABILITY.silentDb) {
    return no("silent", `The ${what} is silent: nothing in it is louder than ${USABILITY.silentDb} dBFS.`);
  }
  if (a.clippedShare > USABILITY.clippedShare) {
    return no(
      "clipped",
      `The ${what} is clipped: ${f1(a.clippedShare * 100)} % of its samples are at full scale. ` +
        "Record again with a lower input level.",
    );
  }
  const level = Number.isNaN(a.voiceDb) ? a.loudestDb : a.voiceDb;
  if (level < USABILITY.quietDb) {
    return no(
      "too_quiet",
      `The ${what} is too quiet: the voice is at ${f1(level)} dBFS, it should be above ${USABILITY.quietDb} dBFS. ` +
        "Sing closer to the microphone or raise the input level.",
    );
  }
  if (a.voicedS < minVoicedS) {
    return no(
      "no_voice",
      `Not enough voice in the ${what}: ${f1(a.voicedS)} s of voiced sound found, at least ${minVoicedS} s are ` +
        "needed. Noise, music without a singer, whispering or silence are not a voice.",
    );
  }
  const snr = a.voiceDb - a.noiseDb;
  if (snr < USABILITY.minSnrDb) {
    return no(
      "too_noisy",
      `The ${what} is too noisy: the voice is only ${f1(snr)} dB above the background, at least ` +
        `${USABILITY.minSnrDb} dB are needed. Record in a quieter place.`,
    );
  }
  return { ok: true };
}
