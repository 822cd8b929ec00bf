import type { Kysely } from "kysely";
import type { Database } from "../store/index.js";

/** How one receiver (a callback URL) has answered a key's attempts over a period. */
export interface ReceiverStats {
  readonly url: string;
  readonly attempts: number;
  readonly delivered: number;
  readonly failedAttempts: number;
  readonly p50LatencyMs: number | null;
  readonly p95LatencyMs: number | null;
  readonly lastAttemptAt: number;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
}

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? null;
}

/**
 * A key's receivers with attempts since `since`, the most recently tried first, at most `limit`: counts, latency
 * percentiles and the last attempt of each. Three reads (counts, latencies, last attempts) keep the percentile
 * work out of SQL, where the two databases differ.
 */
export async function receiverStats(
  db: Kysely<Database>,
  ownerId: string,
  since: number,
  limit: number,
): Promise<ReceiverStats[]> {
  const recent = () =>
    db
      .selectFrom("attempts as a")
      .innerJoin("messages as m", "m.id", "a.message_id")
      .where("a.started_at", ">=", since)
      .where("m.owner_id", "=", ownerId)
      // A copy forwarded through the callback stream went to a developer's machine, not to this URL.
      .where("a.trigger", "!=", "stream");
  const counts = await recent()
    .select((eb) => [
      "m.url",
      eb.fn.countAll<number>().as("attempts"),
      eb.fn.sum<number>(eb.case().when("a.outcome", "=", "delivered").then(1).else(0).end()).as("delivered"),
      eb.fn.max("a.started_at").as("last_at"),
      eb.fn.max("a.id").as("last_id"),
    ])
    .groupBy("m.url")
    .orderBy("last_at", "desc")
    .limit(limit)
    .execute();
  if (counts.length === 0) return [];
  const urls = counts.map((c) => c.url);
  const latencies = await recent()
    .select(["m.url", "a.latency_ms"])
    .where("m.url", "in", urls)
    .orderBy("a.latency_ms")
    .execute();
  const lasts = await db
    .selectFrom("attempts")
    .select(["id", "status_code", "error_class", "error_message"])
    .where(
      "id",
      "in",
      counts.map((c) => Number(c.last_id)),
    )
    .execute();
  const byUrl = new Map<string, number[]>();
  for (const l of latencies) {
    const list = byUrl.get(l.url) ?? [];
    list.push(Number(l.latency_ms));
    byUrl.set(l.url, list);
  }
  const lastById = new Map(lasts.map((l) => [Number(l.id), l]));
  return counts.map((c) => {
    const sorted = byUrl.get(c.url) ?? [];
    const last = lastById.get(Number(c.last_id));
    const attempts = Number(c.attempts);
    const delivered = Number(c.delivered);
    return {
      url: c.url,
      attempts,
      delivered,
      failedAttempts: attempts - delivered,
      p50LatencyMs: percentile(sorted, 0.5),
      p95LatencyMs: percentile(sorted, 0.95),
      lastAttemptAt: Number(c.last_at),
      lastStatusCode: last?.status_code ?? null,
      lastError: last ? (last.error_message ?? last.error_class) : null,
    };
  });
}
