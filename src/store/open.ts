import type { Kysely } from "kysely";
import { HooklineError } from "../lib/errors.js";
import { createBatcher } from "./batch.js";
import type { Dialect } from "./dialect-sql.js";
import { migrate } from "./migrations/index.js";
import { type Listener, type ListenerEvents, listenPostgres } from "./postgres-listen.js";
import { openPostgres } from "./postgres-open.js";
import type { Database } from "./schema.js";
import { openSqlite, sqliteTransact } from "./sqlite-open.js";
import { type Tx, transactionHandle } from "./transaction.js";

/** The narrow storage handle the rest of Hookline holds. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** Cross-process wake-ups (PostgreSQL LISTEN/NOTIFY); null on SQLite, where one process is the rule. */
  listen(
    channels: readonly string[],
    onNotify: (channel: string) => void,
    events?: ListenerEvents,
  ): Promise<Listener | null>;
  /**
   * Runs `fn` in a savepoint of a transaction shared with other callers of this moment (group commit): for short
   * request writes. `fn` must not wait on anything but the database.
   */
  batched<T>(fn: (trx: Tx) => Promise<T>): Promise<T>;
  /** Runs `fn` in one transaction (BEGIN IMMEDIATE on SQLite). */
  transact<T>(fn: (trx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type StoreTarget = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

/** The connection(s) of either database, with its way of closing and of running a transaction. */
async function openDatabase(target: StoreTarget): Promise<{
  readonly db: Kysely<Database>;
  close(): Promise<void>;
  transact<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
}> {
  if (target.kind === "sqlite") {
    const sqlite = await openSqlite(target.path);
    return { db: sqlite.db, close: sqlite.close, transact: (fn) => sqliteTransact(sqlite, fn) };
  }
  const db = await openPostgres(target.url);
  return { db, close: () => db.destroy(), transact: (fn) => db.transaction().execute(fn) };
}

/**
 * Opens the configured database and applies pending migrations (all of them, or up to `options.migrateTo`, as
 * an older version of Hookline left its database: for upgrade tests).
 *
 * @example
 * const store = await openStore({ kind: "sqlite", path: "./hookline-data/hookline.db" });
 */
export async function openStore(target: StoreTarget, options: { migrateTo?: string } = {}): Promise<Store> {
  const dialect: Dialect = target.kind;
  const { db, close, transact } = await openDatabase(target);
  const { error } = await migrate(db, dialect, options.migrateTo);
  if (error) {
    await close();
    throw new HooklineError(
      "internal",
      `database migration failed: ${String((error as Error).message ?? error)}`,
      {
        cause: error,
      },
    );
  }
  const batcher = createBatcher(transact);
  return {
    db,
    dialect,
    batched: (fn) => batcher((trx) => fn(transactionHandle(trx))),
    listen: async (channels, onNotify, events) =>
      target.kind === "postgres" ? listenPostgres(target.url, channels, onNotify, events) : null,
    transact: (fn) => transact((trx) => fn(transactionHandle(trx))),
    close,
  };
}
