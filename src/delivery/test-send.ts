import type { SigningRow } from "../keys/index.js";
import type { MessageRow } from "../outbox/index.js";
import { type AttemptOptions, attempt } from "./attempt.js";

/** What a test send answers: the receiver's answer, nothing recorded. */
export interface TestSend {
  readonly url: string;
  readonly statusCode: number | null;
  readonly latencyMs: number;
  readonly outcome: "delivered" | "failed";
  readonly errorClass: string | null;
  readonly error: string | null;
  readonly responseExcerpt: string;
  /** The headers sent, signatures included (a signature proves nothing without the key; the key is not here). */
  readonly headers: Record<string, string>;
}

/**
 * Sends a message once to another URL, exactly as an attempt signs and POSTs it (same body, same webhook-id, a
 * fresh timestamp), through the same guarded client; nothing is written to the outbox or the attempt log, and
 * nothing is retried. The console's "send a test callback": a developer points a task's real callback at a
 * receiver under test.
 */
export async function sendTest(
  opts: AttemptOptions,
  message: MessageRow,
  signing: SigningRow,
  url: string,
): Promise<TestSend> {
  // Not observed: a test send is no delivery, and the metrics count deliveries.
  const record = await attempt(
    { ...opts, observe: undefined },
    { ...message, url, round_attempts: 0 },
    signing,
  );
  return {
    url,
    statusCode: record.status,
    latencyMs: Math.round(record.latencyMs),
    outcome: record.outcome === "delivered" ? "delivered" : "failed",
    errorClass: record.errorClass,
    error: record.errorMessage,
    responseExcerpt: record.excerpt,
    headers: { ...record.headers },
  };
}
