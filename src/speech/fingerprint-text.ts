/**
 * A fingerprint as text, to keep with a validation task until generate compares the take with it. Only the words
 * and the voiced frames are kept: the reliable bits are taken from the take.
 */
import { FINGERPRINT, type Fingerprint } from "./fingerprint.js";

/** The version tag of {@link encodeFingerprint}'s text: a fingerprint made with other settings is not comparable. */
const VERSION = `hk${FINGERPRINT.bands}-${FINGERPRINT.lowHz}-${FINGERPRINT.highHz}-${FINGERPRINT.smooth}`;

/**
 * A fingerprint as text, to keep with a validation task: the version, the words (little-endian, base64) and the
 * voiced frames (one bit each, base64). 60 s of audio take about 33 kB.
 */
export function encodeFingerprint(fp: Fingerprint): string {
  const words = Buffer.alloc(fp.words.length * 4);
  const mask = Buffer.alloc(Math.ceil(fp.voiced.length / 8));
  for (let i = 0; i < fp.words.length; i++) {
    words.writeUInt32LE(fp.words[i]!, i * 4);
    if (fp.voiced[i]) mask[i >> 3] = mask[i >> 3]! | (1 << (i & 7));
  }
  return `${VERSION}.${words.toString("base64")}.${mask.toString("base64")}`;
}

/** Reads {@link encodeFingerprint}'s text; null when it is not one, or was made with other settings. */
export function decodeFingerprint(text: unknown): Fingerprint | null {
  if (typeof text !== "string") return null;
  const [version, words64, mask64, extra] = text.split(".");
  if (version !== VERSION || words64 === undefined || mask64 === undefined || extra !== undefined)
    return null;
  const bytes = Buffer.from(words64, "base64");
  const mask = Buffer.from(mask64, "base64");
  const count = bytes.length >> 2;
  if (bytes.length % 4 !== 0 || mask.length !== Math.ceil(count / 8)) return null;
  const words = new Uint32Array(count);
  const voiced = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    words[i] = bytes.readUInt32LE(i * 4);
    voiced[i] = (mask[i >> 3]! >> (i & 7)) & 1;
  }
  return { words, voiced };
}
