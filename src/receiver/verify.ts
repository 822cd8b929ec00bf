/**
 * Checking a callback's signatures (spec 9, 12.4): the resellers' `X-Webhook-Signature` and the Standard Webhooks
 * `webhook-signature`. Written independently of the server's signing code; the tests check it against vectors
 * made by other code.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { bodyBytes, type HeaderSource, headerOf } from "./headers.js";

/** A signature scheme: `standard` (Standard Webhooks, covers the body) or `reseller` (does not). */
export type Scheme = "standard" | "reseller";

/** Why a callback was refused; stable, for logs and metrics. */
export type VerifyErrorCode =
  | "no_keys" // no webhook key was given to the verifier
  | "no_signature" // neither scheme's headers are present
  | "malformed_header" // a scheme's headers are incomplete or unreadable
  | "timestamp_out_of_tolerance" // signed too long ago or too far in the future (replay or clock skew)
  | "task_id_missing" // reseller headers present but the body names no task id to check them against
  | "signature_mismatch"; // no key produced the signature given

/** What {@link verifyCallback} found. */
export type VerifyResult =
  | {
      readonly ok: true;
      /** The schemes present, every one of which verified. */
      readonly schemes: readonly Scheme[];
      /** Whether the body itself is covered (only the `standard` scheme covers it). */
      readonly bodyVerified: boolean;
      /** `webhook-id`: the message id, stable across retries; null when only reseller headers came. */
      readonly messageId: string | null;
      /** The signing time, Unix seconds. */
      readonly timestamp: number;
      /** Which of the given keys verified each scheme (0 = the first): shows when an old key is still in use. */
      readonly keyIndex: { readonly standard?: number; readonly reseller?: number };
    }
  | {
      readonly ok: false;
      readonly code: VerifyErrorCode;
      readonly scheme: Scheme | null;
      readonly message: string;
    };

/** Options of {@link verifyCallback}. */
export interface VerifyOptions {
  /** Largest accepted distance between the signing time and now, seconds (default 300). */
  toleranceS?: number;
  /** The current time (ms since the epoch, or a Date); default `Date.now()`. */
  now?: number | Date;
}

const fail = (code: VerifyErrorCode, scheme: Scheme | null, message: string): VerifyResult => ({
  ok: false,
  code,
  scheme,
  message,
});

/** Compares two byte strings in constant time (for equal lengths; a length mismatch is not secret). */
function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The Standard Webhooks secret bytes of a key: base64 after the `whsec_` prefix, as that spec's libraries read it. */
function standardSecret(key: string): Buffer {
  return Buffer.from(key.startsWith("whsec_") ? key.slice(6) : key, "base64");
}

/** The task id the reseller scheme signs: the body's, under any spelling the callbacks use (spec 9, 11 #15). */
export function taskIdOfBody(body: Buffer): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
  const top = (parsed ?? {}) as { taskId?: unknown; task_id?: unknown; data?: unknown };
  const data = (top.data ?? {}) as { taskId?: unknown; task_id?: unknown };
  for (const v of [data.task_id, data.taskId, top.taskId, top.task_id])
    if (typeof v === "string" && v) return v;
  return null;
}

function timestampOf(text: string | undefined): number | null {
  return text !== undefined && /^\d{1,12}$/.test(text.trim()) ? Number(text.trim()) : null;
}

/**
 * Verifies a callback. At least one scheme must be present, and every scheme present must verify with one of
 * `keys` (several keys: rotation). Each present scheme's timestamp must be within `toleranceS` of now. Compares
 * in constant time. Give it the body exactly as received (bytes or text), before any JSON parsing.
 *
 * The reseller scheme alone (`X-Webhook-Signature`: HMAC of `taskId.timestamp`) proves who sent the callback and
 * when, but **not the body**: someone who saw one callback could replay its headers with another body for the same
 * task. The Standard Webhooks scheme covers the body; Hookline always sends it. `bodyVerified` says which you got.
 *
 * @example
 * const result = verifyCallback(req.headers, rawBody, [webhookKey]); // your whsec_… key
 * if (!result.ok) return res.writeHead(401).end(result.code);
 */
export function verifyCallback(
  headers: HeaderSource,
  rawBody: string | Uint8Array,
  keys: string | readonly string[],
  options: VerifyOptions = {},
): VerifyResult {
  const list = (typeof keys === "string" ? [keys] : [...keys]).filter((k) => k.length > 0);
  if (list.length === 0) return fail("no_keys", null, "no webhook key to verify with");
  const body = bodyBytes(rawBody);
  const tolerance = options.toleranceS ?? 300;
  const nowS = Math.floor((options.now === undefined ? Date.now() : Number(options.now)) / 1000);
  const fresh = (ts: number) => Math.abs(nowS - ts) <= tolerance;

  const id = headerOf(headers, "webhook-id");
  const sTs = headerOf(headers, "webhook-timestamp");
  const sSig = headerOf(headers, "webhook-signature");
  const rTs = headerOf(headers, "x-webhook-timestamp");
  const rSig = headerOf(headers, "x-webhook-signature");
  const hasStandard = id !== undefined || sTs !== undefined || sSig !== undefined;
  const hasReseller = rTs !== undefined || rSig !== undefined;
  if (!hasStandard && !hasReseller) {
    return fail("no_signature", null, "no webhook-signature nor X-Webhook-Signature header");
  }

  const keyIndex: { standard?: number; reseller?: number } = {};
  const schemes: Scheme[] = [];
  let timestamp = 0;

  if (hasStandard) {
    const ts = timestampOf(sTs);
    if (!id || ts === null || !sSig) {
      return fail(
        "malformed_header",
        "standard",
        "webhook-id, webhook-timestamp and webhook-signature go together",
      );
    }
    if (!fresh(ts))
      return fail(
        "timestamp_out_of_tolerance",
        "standard",
        `webhook-timestamp ${ts} is ${nowS - ts} s from now`,
      );
    const given = sSig
      .split(" ")
      .filter((part) => part.startsWith("v1,"))
      .map((part) => Buffer.from(part.slice(3), "base64"));
    if (given.length === 0)
      return fail("malformed_header", "standard", "webhook-signature has no v1 signature");
    const signed = Buffer.concat([Buffer.from(`${id}.${ts}.`, "utf8"), body]);
    const index = list.findIndex((key) => {
      const expected = createHmac("sha256", standardSecret(key)).update(signed).digest();
      return given.some((sig) => same(sig, expected));
    });
    if (index < 0)
      return fail("signature_mismatch", "standard", "webhook-signature matches none of the keys");
    keyIndex.standard = index;
    schemes.push("standard");
    timestamp = ts;
  }

  if (hasReseller) {
    const ts = timestampOf(rTs);
    if (ts === null || !rSig) {
      return fail("malformed_header", "reseller", "X-Webhook-Timestamp and X-Webhook-Signature go together");
    }
    if (!fresh(ts))
      return fail(
        "timestamp_out_of_tolerance",
        "reseller",
        `X-Webhook-Timestamp ${ts} is ${nowS - ts} s from now`,
      );
    const taskId = taskIdOfBody(body);
    if (!taskId)
      return fail(
        "task_id_missing",
        "reseller",
        "the body names no task id to check X-Webhook-Signature with",
      );
    const given = Buffer.from(rSig.trim(), "base64");
    const index = list.findIndex((key) =>
      same(given, createHmac("sha256", Buffer.from(key, "utf8")).update(`${taskId}.${ts}`).digest()),
    );
    if (index < 0)
      return fail("signature_mismatch", "reseller", "X-Webhook-Signature matches none of the keys");
    keyIndex.reseller = index;
    schemes.push("reseller");
    if (!timestamp) timestamp = ts;
  }

  return {
    ok: true,
    schemes,
    bodyVerified: schemes.includes("standard"),
    messageId: id ?? null,
    timestamp,
    keyIndex,
  };
}
