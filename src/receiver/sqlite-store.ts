/**
 * A durable idempotency store in a SQLite file (better-sqlite3, loaded only when this store is opened). Several
 * processes may share the file: claims run in immediate transactions, so only one of them wins a message.
 */
import type { ClaimState, IdempotencyStore } from "./idempotency.js";

interface Statement {
  get(...args: unknown[]): unknown;
  run(...args: unknown[]): unknown;
}
interface Db {
  pragma(text: string): unknown;
  exec(text: string): unknown;
  prepare(text: string): Statement;
  transaction<T>(fn: () => T): { immediate(): T };
  close(): void;
}

/**
 * Opens (creating if needed) a SQLite idempotency store at `path`. Expired rows are swept now and then.
 *
 * @example
 * const idempotency = await openSqliteIdempotencyStore("./callbacks.db");
 * const handler = createCallbackHandler({ keys, onCallback, idempotency });
 */
export async function openSqliteIdempotencyStore(path: string): Promise<IdempotencyStore> {
  const { default: Database } = (await import("better-sqlite3")) as unknown as {
    default: new (file: string) => Db;
  };
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  db.exec(
    "create table if not exists hookline_idempotency (key text primary key, state text not null, until integer not null)",
  );
  const read = db.prepare("select state, until from hookline_idempotency where key = ?");
  const upsert = db.prepare(
    "insert into hookline_idempotency (key, state, until) values (?, ?, ?) on conflict(key) do update set state = excluded.state, until = excluded.until",
  );
  const remove = db.prepare("delete from hookline_idempotency where key = ? and state = 'in_flight'");
  const sweep = db.prepare("delete from hookline_idempotency where until <= ?");
  let writes = 0;
  const claim = (key: string, now: number, leaseMs: number): ClaimState =>
    db
      .transaction((): ClaimState => {
        const row = read.get(key) as { state: "in_flight" | "done"; until: number } | undefined;
        if (row && row.until > now) return row.state;
        upsert.run(key, "in_flight", now + leaseMs);
        if (++writes % 1000 === 0) sweep.run(now);
        return "claimed";
      })
      .immediate();
  return {
    async claim(key, now, leaseMs) {
      return claim(key, now, leaseMs);
    },
    async complete(key, now, ttlMs) {
      upsert.run(key, "done", now + ttlMs);
    },
    async release(key) {
      remove.run(key);
    },
    async close() {
      db.close();
    },
  };
}
