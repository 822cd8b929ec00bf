/**
 * The retry policy, in one place (spec 8 and 13): any 2xx delivers; 410 stops retrying; a refused target is
 * final; everything else (other statuses, 3xx, timeouts, DNS and connection errors) is retried after the next
 * gap of the schedule, measured from the end of the attempt, with ±jitter. `Retry-After` on 429/503 is honoured,
 * clamped between the scheduled gap and twice it.
 */
export interface AttemptSummary {
  readonly status: number | null;
  readonly errorClass: string | null;
  readonly retryAfterMs: number | null;
}

export type Decision =
  | { readonly outcome: "delivered" }
  | { readonly outcome: "retry"; readonly delayMs: number }
  | { readonly outcome: "failed"; readonly reason: "exhausted" | "gone" | "refused" };

export interface RetryPolicy {
  readonly scheduleMs: readonly number[];
  readonly jitter: number;
}

/**
 * Decides what follows attempt number `attemptInRound` (1-based) of a delivery round.
 *
 * @example
 * decide({ status: 500, errorClass: null, retryAfterMs: null }, 1, { scheduleMs: [60_000], jitter: 0.1 })
 * // → { outcome: "retry", delayMs: 54_000 … 66_000 }
 */
export function decide(
  attempt: AttemptSummary,
  attemptInRound: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): Decision {
  const { status } = attempt;
  if (status !== null && status >= 200 && status < 300) return { outcome: "delivered" };
  if (attempt.errorClass === "refused_target") return { outcome: "failed", reason: "refused" };
  if (status === 410) return { outcome: "failed", reason: "gone" };
  const base = policy.scheduleMs[attemptInRound - 1];
  if (base === undefined) return { outcome: "failed", reason: "exhausted" };
  let delayMs = Math.round(base * (1 + policy.jitter * (2 * random() - 1)));
  if ((status === 429 || status === 503) && attempt.retryAfterMs !== null) {
    delayMs = Math.min(Math.max(attempt.retryAfterMs, base), 2 * base);
  }
  return { outcome: "retry", delayMs };
}
