import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import { exec, statement } from "./statements.js";

type Transact = <T>(fn: (trx: Kysely<Database>) => Promise<T>) => Promise<T>;

// Precompiled: two of these run for every request in a batch.
const SAVEPOINT = statement("savepoint batch_item");
const RELEASE = statement("release savepoint batch_item");
const ROLLBACK_TO = statement("rollback to savepoint batch_item");

interface Item {
  readonly fn: (trx: Kysely<Database>) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** How often the item was deferred to a later batch (see {@link lostLockRace}). */
  deferred: number;
}

/**
 * PostgreSQL broke a lock cycle by failing this statement (deadlock, 40P01) or could not serialize it (40001).
 * Batches of two processes can wait on each other's only-once inserts in opposite orders; the item that lost is
 * not at fault, and retrying it in the same transaction would rebuild the same cycle, so it goes to the next
 * batch, which starts after this one's locks are gone.
 */
function lostLockRace(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  return error.code === "40P01" || error.code === "40001";
}

/**
 * Group commit for short request transactions: callers that arrive together share one database transaction,
 * each inside its own savepoint, so one caller's error (a duplicate, say) rolls back only its own writes. A
 * commit costs far more than a small insert, so under load this multiplies what one writer can accept. Every
 * caller is answered only after the shared commit.
 */
export function createBatcher(transact: Transact, maxBatch = 256) {
  const queue: Item[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    draining = true;
    // Let the requests parsed in this turn of the event loop join the batch.
    await new Promise((r) => setImmediate(r));
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      const later: Item[] = [];
      try {
        await transact(async (trx) => {
          for (const item of batch) {
            await exec(trx, SAVEPOINT, []);
            try {
              const value = await item.fn(trx);
              await exec(trx, RELEASE, []);
              outcomes.push({ ok: true, value });
            } catch (error) {
              await exec(trx, ROLLBACK_TO, []);
              await exec(trx, RELEASE, []);
              outcomes.push({ ok: false, error });
              if (lostLockRace(error) && item.deferred < 3) later.push(item);
            }
          }
        });
      } catch (error) {
        for (const item of batch) item.reject(error);
        continue;
      }
      batch.forEach((item, i) => {
        const o = outcomes[i]!;
        if (o.ok) item.resolve(o.value);
        else if (!later.includes(item)) item.reject(o.error);
      });
      for (const item of later) item.deferred++;
      queue.unshift(...later);
    }
    draining = false;
  }

  return function batched<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, deferred: 0 });
      if (!draining) void drain();
    });
  };
}
