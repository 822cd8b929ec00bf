import { HooklineError } from "../../lib/errors.js";
import type { Services } from "../../services/index.js";
import { type Analysis, decodeFingerprint, matchReplay, REPLAY } from "../../speech/index.js";

/** How every replay refusal starts, so that a person (and a test) recognises it. */
export const REPLAY_REFUSAL = "verifyUrl is a replay of the source recording, not a new take";
const RECORD_AGAIN = "Record the phrase yourself and upload that recording.";

/**
 * The same recording by its link: the very `voiceUrl`, or another download link this server signed for the
 * same stored file. Refused before anything is downloaded, whatever the recording's length.
 */
export function refuseSameLink(services: Services, voiceUrl: string, verifyUrl: string): void {
  const source = services.signer.parse(voiceUrl);
  const take = services.signer.parse(verifyUrl);
  if (voiceUrl === verifyUrl || (source && take && source.fileId === take.fileId)) {
    throw new HooklineError(
      "bad_request",
      `${REPLAY_REFUSAL}: it is the very file given as voiceUrl. ${RECORD_AGAIN}`,
      { data: { replay: true } },
    );
  }
}

/**
 * A copy of the source by its sound (re-encoded, resampled, louder, noisier, shifted, cut to the segment): the
 * take's fingerprint against the source segment's, kept by validate. A validation made before fingerprints were
 * kept has none, and only the link is checked.
 */
export function refuseCopy(sourceFingerprint: unknown, take: Analysis): void {
  const source = decodeFingerprint(sourceFingerprint);
  if (!source) return;
  const match = matchReplay(source, take.fingerprint);
  if (!match.replay) return;
  const ber = Number(match.bitErrorRate.toFixed(3));
  throw new HooklineError(
    "bad_request",
    `${REPLAY_REFUSAL}: its audio from ${match.takeAtS} s matches the source segment's from ${match.sourceAtS} s ` +
      `(fingerprint bit error rate ${ber}; at most ${REPLAY.maxBitErrorRate} is a copy, a new take scores about ` +
      `0.4). ${RECORD_AGAIN}`,
    { data: { replay: true, bitErrorRate: ber } },
  );
}
