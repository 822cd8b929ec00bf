import type { SigningRow } from "../keys/index.js";
import type { Clock } from "../lib/clock.js";
import type { Outbound } from "../net/index.js";
import type { AttemptRecord, MessageRow, RoundTrigger } from "../outbox/index.js";
import { decide, type RetryPolicy } from "./policy.js";
import { type SigningKeys, signatureHeaders } from "./signing.js";

/** The headers every callback carries, signed or not (a sample the CLI sends carries the same). */
export const CALLBACK_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "application/json",
  "user-agent": "Hookline-Webhooks/0.1",
};

/** The keys that sign now: the previous webhook key only while its grace period lasts. */
function keysOf(row: SigningRow, now: number): SigningKeys {
  const previous =
    row.previous_webhook_key && row.previous_key_until !== null && row.previous_key_until > now
      ? row.previous_webhook_key
      : null;
  return { current: row.webhook_key, previous, hmacEnabled: row.hmac_enabled === 1 };
}

/**
 * The headers an attempt of `message` sends at `at` (ms): content type, user agent and the signatures of the
 * moment (none when the key is gone). The callback stream sends the same, so that a forwarded callback is signed
 * exactly as a delivered one.
 */
export function attemptHeaders(
  message: Pick<MessageRow, "id" | "sign_task_id" | "body">,
  signing: SigningRow | undefined,
  at: number,
  userAgent?: string,
): Record<string, string> {
  return {
    ...CALLBACK_HEADERS,
    ...(userAgent === undefined ? {} : { "user-agent": userAgent }),
    ...(signing
      ? signatureHeaders(
          keysOf(signing, at),
          message.id,
          message.sign_task_id,
          message.body,
          Math.floor(at / 1000),
        )
      : {}),
  };
}

/** What one attempt needs (the sender's options are a superset). */
export interface AttemptOptions {
  readonly clock: Clock;
  readonly outbound: Outbound;
  readonly timeoutMs: number;
  readonly excerptBytes: number;
  readonly policy: RetryPolicy;
  readonly userAgent?: string;
  readonly random?: () => number;
  /** Told of every attempt as it ends, before it is recorded (monitoring, src/metrics). */
  readonly observe?: (record: AttemptRecord) => void;
}

/**
 * One attempt of a message: signed afresh (its own timestamp), POSTed through the guarded client, and turned into
 * the record the sender writes, with the retry policy's decision. Never throws for the network.
 */
export async function attempt(
  opts: AttemptOptions,
  message: MessageRow,
  signing: SigningRow | undefined,
): Promise<AttemptRecord> {
  const { clock } = opts;
  const startedAt = clock.now();
  const headers = attemptHeaders(message, signing, startedAt, opts.userAgent);
  const result = await opts.outbound.post(message.url, message.body, headers, {
    timeoutMs: opts.timeoutMs,
    excerptBytes: opts.excerptBytes,
  });
  const endedAt = clock.now();
  const decision = decide(result, message.round_attempts + 1, opts.policy, opts.random);
  const record: AttemptRecord = {
    message,
    trigger: message.round_attempts === 0 ? roundTrigger(message.round_trigger) : "auto",
    startedAt,
    endedAt,
    latencyMs: result.latencyMs,
    status: result.status,
    errorClass: result.errorClass ?? (decision.outcome === "delivered" ? null : "http_status"),
    errorMessage:
      result.errorMessage ??
      (decision.outcome === "failed" && decision.reason === "gone" ? "receiver answered 410 Gone" : null),
    excerpt: result.excerpt,
    outcome: decision.outcome,
    nextAt: decision.outcome === "retry" ? endedAt + decision.delayMs : null,
    headers,
  };
  opts.observe?.(record);
  return record;
}

/** A round's trigger as stored; anything unknown counts as `auto`. */
function roundTrigger(text: string): RoundTrigger {
  return text === "manual" || text === "duplicate" ? text : "auto";
}
