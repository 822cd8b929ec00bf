import type { Kysely } from "kysely";
import { type Database, exec, query, statement } from "../store/index.js";

/**
 * Per-key request rates, counted in the database so that every process of an installation counts together
 * (`rate_counters`, written only here): one row per key, bucket and minute. The rate is the sliding-window
 * estimate (this minute's count plus the previous minute's, weighted by how much of it the window still covers),
 * which smooths the double burst a fixed window allows at its edge.
 */
const WINDOW_MS = 60_000;

const HIT = statement<{ count: number | string }>(
  `insert into rate_counters (owner_id, bucket, window_start, count) values (?, ?, ?, 1)
    on conflict (owner_id, bucket, window_start) do update set count = rate_counters.count + 1
    returning count`,
);
const PREVIOUS = statement<{ count: number | string }>(
  "select count from rate_counters where owner_id = ? and bucket = ? and window_start = ?",
);
const UNDO = statement(
  "update rate_counters set count = count - 1 where owner_id = ? and bucket = ? and window_start = ?",
);
const PRUNE = statement("delete from rate_counters where window_start < ?");

/** A rate check's answer: allowed, or refused with the seconds after which a request would pass. */
export type RateVerdict = { readonly ok: true } | { readonly ok: false; readonly retryAfterS: number };

/**
 * Counts one request of `ownerId` in `bucket` and says whether it stays within `perMinute`. A refused request is
 * not counted, so a client that keeps trying is let through again as soon as its rate drops.
 *
 * @example
 * const v = await hitRate(trx, key.id, "api", 600, clock.now());
 * if (!v.ok) throw new HooklineError("rate_limited", `try again in ${v.retryAfterS} s`);
 */
export async function hitRate(
  db: Kysely<Database>,
  ownerId: string,
  bucket: string,
  perMinute: number,
  now: number,
): Promise<RateVerdict> {
  const start = now - (now % WINDOW_MS);
  const [row] = await query(db, HIT, [ownerId, bucket, start]);
  const current = Number(row?.count ?? 1);
  const [prev] = await query(db, PREVIOUS, [ownerId, bucket, start - WINDOW_MS]);
  const previous = Number(prev?.count ?? 0);
  const weight = 1 - (now - start) / WINDOW_MS;
  if (current + previous * weight <= perMinute) return { ok: true };
  await exec(db, UNDO, [ownerId, bucket, start]);
  return { ok: false, retryAfterS: retryAfter(current - 1, previous, now - start, perMinute) };
}

/** Seconds until one more request fits: the previous minute's share shrinks as the window slides on. */
function retryAfter(current: number, previous: number, into: number, perMinute: number): number {
  if (current + 1 > perMinute) return Math.max(1, Math.ceil((WINDOW_MS - into) / 1000));
  // current + previous × (1 − t/W) + 1 ≤ perMinute  ⇔  t ≥ W × (1 − (perMinute − current − 1) / previous)
  const t = WINDOW_MS * (1 - (perMinute - current - 1) / previous);
  return Math.max(1, Math.ceil((t - into) / 1000));
}

/** Removes the counters of windows that no estimate reads any more. */
export async function pruneRates(db: Kysely<Database>, now: number): Promise<number> {
  return exec(db, PRUNE, [now - (now % WINDOW_MS) - WINDOW_MS]);
}
