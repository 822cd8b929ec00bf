import { randomBytes, randomFillSync, randomUUID } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

function randomFrom(alphabet: string, length: number): string {
  // Rejection sampling keeps every character equally likely.
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * A task id: 32 lowercase hex characters, as the reseller's (spec 1.4), time-ordered: 12 characters of the
 * creation time in ms, then 20 random ones (80 bits). A burst of submissions then appends to the task key's
 * index instead of writing one random page of it per task. The ids of other keys stay unguessable, and every
 * lookup checks the owner anyway (tenant isolation never rests on an id being secret).
 */
export const newTaskId = (now: number = Date.now()): string =>
  Math.floor(now).toString(16).padStart(12, "0").slice(-12) + pooledHex(10);

// Random bytes for task ids drawn 4 KiB at a time: one call into the system's generator for ~400 ids (Node's
// randomUUID keeps a pool the same way), instead of one per submission.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function pooledHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const hex = pool.toString("hex", poolAt, poolAt + bytes);
  poolAt += bytes;
  return hex;
}

/** An audio id: a UUID v4 (spec 1.4). */
export const newAudioId = (): string => randomUUID();

// The same 32 characters in ASCII order, so that a number written with them sorts as text as it does as a number.
const SORTED_BASE32 = "234567abcdefghijklmnopqrstuvwxyz";

/**
 * A callback message id: `msg_` + 26 base32 characters (spec 13), time-ordered like a ULID: 10 characters of the
 * creation time in ms (in ASCII order), then 16 random ones (80 bits). Ids made close together sit side by side
 * in the indexes that hold them (the message's key, attempts by message), so a burst of deliveries writes a few
 * index pages per transaction instead of one random page per message.
 */
export const newMessageId = (now: number = Date.now()): string => {
  let time = "";
  for (let t = Math.floor(now), i = 0; i < 10; i++, t = Math.floor(t / 32))
    time = SORTED_BASE32[t % 32] + time;
  return `msg_${time}${randomFrom(BASE32, 16)}`;
};

/**
 * The creation time (ms) a message id carries (see {@link newMessageId}), or null for an id of another form.
 *
 * @example
 * messageTime(newMessageId(1_700_000_000_000)) // 1_700_000_000_000
 */
export function messageTime(id: string): number | null {
  if (!id.startsWith("msg_") || id.length < 14) return null;
  let t = 0;
  for (const ch of id.slice(4, 14)) {
    const digit = SORTED_BASE32.indexOf(ch);
    if (digit < 0) return null;
    t = t * 32 + digit;
  }
  return t;
}

/** An API key: `hk_` + 32 base62 characters (spec 13). */
export const newApiKey = (): string => `hk_${randomFrom(BASE62, 32)}`;

/** A webhook HMAC key: `whsec_` + standard base64 of 32 random bytes (spec 9). */
export const newWebhookKey = (): string => `whsec_${randomBytes(32).toString("base64")}`;

/** A Hookline-internal id with a readable prefix, e.g. `key_…`, `file_…`. */
export const newId = (prefix: string): string => `${prefix}_${randomFrom(BASE62, 22)}`;

/** Random characters for file names and secrets that only need to be unguessable. */
export const randomToken = (length = 16): string => randomFrom(BASE62, length);

/** The length of the random base of an upload's file name when its client gave none (src/uploads). */
export const RANDOM_NAME_LENGTH = 20;

/**
 * Whether a file name's base (without extension) looks like one Hookline made up ({@link randomToken} of
 * {@link RANDOM_NAME_LENGTH}): such a name says nothing about the track and must not become its title.
 */
export const isMadeUpName = (base: string): boolean =>
  base.length === RANDOM_NAME_LENGTH && /^[0-9A-Za-z]+$/.test(base);
