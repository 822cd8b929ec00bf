import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Kysely, SqliteDialect, sql } from "kysely";
import type { Database } from "./schema.js";

/**
 * Opens the embedded database: WAL so readers never wait for the writer, NORMAL sync (durable across a process
 * crash, which is what `kill -9` tests), and a busy timeout so a second process (the CLI next to a running server)
 * waits for the write lock instead of failing.
 */
export async function openSqlite(path: string): Promise<Kysely<Database>> {
  mkdirSync(dirname(path), { recursive: true });
  const { default: BetterSqlite3 } = await import("better-sqlite3");
  const native = new BetterSqlite3(path);
  native.pragma("journal_mode = WAL");
  native.pragma("synchronous = NORMAL");
  native.pragma("busy_timeout = 10000");
  native.pragma("foreign_keys = ON");
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(native) }) });
}

type Native = import("better-sqlite3").Database;

/**
 * Kysely prepares every query anew; preparing costs more than running a small indexed query. Statements are
 * cached by SQL text (a bounded map: queries with `in (…)` lists of many lengths must not grow it forever).
 */
function cachingStatements(native: Native, max = 500) {
  const cache = new Map<string, ReturnType<Native["prepare"]>>();
  return {
    close: () => native.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (statement) return statement;
      statement = native.prepare(text);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(text, statement);
      return statement;
    },
  };
}

/**
 * SQLite transactions start with BEGIN IMMEDIATE: the write lock is taken up front, so a transaction that reads
 * and then writes can never fail half-way because another process wrote in between.
 */
export async function sqliteTransact<T>(
  db: Kysely<Database>,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const out = await fn(conn);
      await sql`commit`.execute(conn);
      return out;
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
  });
}
