/**
 * The receiver every adapter wraps: verify, parse, de-duplicate, call your function, and answer. Framework-free:
 * it takes headers and the raw body and answers a status, headers and a JSON body.
 */
import { createHash } from "node:crypto";
import type { HeaderSource } from "./headers.js";
import { bodyBytes } from "./headers.js";
import { type IdempotencyStore, MemoryIdempotencyStore } from "./idempotency.js";
import { type Callback, parseCallback } from "./parse.js";
import { type VerifyResult, verifyCallback } from "./verify.js";

/** What your function gets besides the callback. */
export interface CallbackContext {
  /** The idempotency key: `webhook-id`, or (reseller headers only) the task id and a hash of the body. */
  readonly messageId: string;
  /** What verified. */
  readonly verification: Extract<VerifyResult, { ok: true }>;
  readonly headers: HeaderSource;
  readonly rawBody: Buffer;
}

/** Options of {@link createCallbackHandler}. */
export interface CallbackHandlerOptions {
  /** The webhook key(s), `whsec_…`; list the old and the new one during a rotation. */
  keys: string | readonly string[];
  /**
   * Called once per message. Keep it short (the sender waits at most 15 s): record the work and do slow parts
   * (downloads) in the background. Throwing answers 500, so the callback is retried and processed again.
   */
  onCallback(callback: Callback, context: CallbackContext): void | Promise<void>;
  /** Where processed message ids are remembered (default: a bounded in-memory store); `false` turns it off. */
  idempotency?: IdempotencyStore | false;
  /** Timestamp tolerance, seconds (default 300). */
  toleranceS?: number;
  /** Refuse callbacks whose body is not signed (reseller headers only). Default false. */
  requireBodySignature?: boolean;
  /** How long a message is held in flight before another delivery may take it over, ms (default 60 000). */
  leaseMs?: number;
  /** How long a processed id is remembered, ms (default 7 days: longer than every retry schedule). */
  ttlMs?: number;
  /** The clock, ms since the epoch (tests). */
  now?: () => number;
  /** Told about every refused or failed callback (logging). */
  onRejected?(reason: { status: number; error: string; message: string }): void;
}

/** What to answer. */
export interface HandlerAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: {
    readonly ok: boolean;
    readonly duplicate?: boolean;
    readonly error?: string;
    readonly message?: string;
  };
}

/** A framework-free receiver. */
export type CallbackHandler = (request: {
  headers: HeaderSource;
  rawBody: string | Uint8Array;
}) => Promise<HandlerAnswer>;

const JSON_TYPE = { "content-type": "application/json" };

/**
 * Builds a receiver: 401 for a forged, stale or unsigned callback; 400 for a body that is not a callback; 200 for a
 * message processed now or before (`duplicate: true`, your function is not called again); 409 while the same
 * message is being processed by another request (the sender retries later); 500 when your function threw.
 *
 * @example
 * const handle = createCallbackHandler({
 *   keys: webhookKey, // your whsec_… key, from `hookline keys create`
 *   onCallback: async (cb) => { if (cb.family === "wav" && cb.succeeded) await queue.add(cb.audioWavUrl); },
 * });
 * const answer = await handle({ headers: req.headers, rawBody });
 */
export function createCallbackHandler(options: CallbackHandlerOptions): CallbackHandler {
  const store = options.idempotency === false ? null : (options.idempotency ?? new MemoryIdempotencyStore());
  const now = options.now ?? Date.now;
  const leaseMs = options.leaseMs ?? 60_000;
  const ttlMs = options.ttlMs ?? 7 * 86_400_000;
  const refuse = (status: number, error: string, message: string, headers = {}): HandlerAnswer => {
    options.onRejected?.({ status, error, message });
    return { status, headers: { ...JSON_TYPE, ...headers }, body: { ok: false, error, message } };
  };

  return async ({ headers, rawBody }) => {
    const body = bodyBytes(rawBody);
    const verification = verifyCallback(headers, body, options.keys, {
      now: now(),
      ...(options.toleranceS === undefined ? {} : { toleranceS: options.toleranceS }),
    });
    if (!verification.ok) return refuse(401, verification.code, verification.message);
    if (options.requireBodySignature && !verification.bodyVerified) {
      return refuse(
        401,
        "body_not_signed",
        "only the reseller signature came, which does not cover the body",
      );
    }
    const parsed = parseCallback(body);
    if (!parsed.ok) return refuse(400, parsed.code, parsed.message);
    const messageId =
      verification.messageId ??
      `task:${parsed.callback.taskId}:${createHash("sha256").update(body).digest("base64url")}`;

    if (store) {
      const state = await store.claim(messageId, now(), leaseMs);
      if (state === "done") return { status: 200, headers: JSON_TYPE, body: { ok: true, duplicate: true } };
      if (state === "in_flight") {
        return refuse(409, "in_flight", "this message is being processed by another request", {
          "retry-after": "10",
        });
      }
    }
    try {
      await options.onCallback(parsed.callback, { messageId, verification, headers, rawBody: body });
    } catch (error) {
      await store?.release(messageId);
      return refuse(500, "handler_failed", (error as Error)?.message ?? String(error));
    }
    await store?.complete(messageId, now(), ttlMs);
    return { status: 200, headers: JSON_TYPE, body: { ok: true, duplicate: false } };
  };
}
