import { chmodSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { CompiledQuery, Kysely, SqliteDialect } from "kysely";
import type { Database } from "./schema.js";
import { startCheckpointer } from "./sqlite-checkpointer.js";
import { type DirectRunner, holdDirect } from "./statements.js";

/** The embedded database, its checkpointing thread, and how a commit is counted for it. */
export interface SqliteHandle {
  readonly db: Kysely<Database>;
  /** Runs statements on the connection (only while a transaction holds it). */
  readonly direct: DirectRunner;
  /** Tells the checkpointer that a transaction committed. */
  committed(): void;
  /** Null, or a pause to await before a transaction begins (see Checkpointer.gate). */
  gate(): Promise<void> | null;
  /** Stops the checkpointer, then closes the connection (the last one checkpoints and removes the WAL). */
  close(): Promise<void>;
}

/**
 * Opens the embedded database: WAL so readers never wait for the writer, NORMAL sync (durable across a process
 * crash, which is what `kill -9` tests), and a busy timeout so a second process (the CLI next to a running server)
 * waits for the write lock instead of failing. Checkpoints run on a worker thread (see sqlite-checkpointer.ts).
 */
export async function openSqlite(path: string): Promise<SqliteHandle> {
  restrictDatabaseFiles(path);
  const { default: BetterSqlite3 } = await import("better-sqlite3");
  const native = new BetterSqlite3(path);
  native.pragma("journal_mode = WAL");
  native.pragma("synchronous = NORMAL");
  native.pragma("busy_timeout = 10000");
  native.pragma("foreign_keys = ON");
  native.pragma("wal_autocheckpoint = 0");
  const statements = cachingStatements(native);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  const checkpointer = startCheckpointer({
    path,
    driver: createRequire(import.meta.url).resolve("better-sqlite3"),
    onFailure: () => {
      // Without its thread, SQLite checkpoints in the commits again (its default), so the WAL stays bounded.
      if (native.open) native.pragma("wal_autocheckpoint = 1000");
    },
  });
  return {
    db,
    direct: {
      all(text, params) {
        const st = statements.prepare(text);
        if (st.reader) return st.all(params);
        st.run(params);
        return [];
      },
      run: (text, params) => statements.prepare(text).run(params).changes,
    },
    committed: () => checkpointer.committed(),
    gate: () => checkpointer.gate(),
    async close() {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

/**
 * The database holds the webhook keys and the URL signing key: only its owner may read it. A new database is
 * created 0600 (in a new 0700 folder) before SQLite opens it, because SQLite gives its `-wal` and `-shm` files the
 * database's mode; an existing one readable by others (made by an older version) is restricted, with a warning.
 * An existing folder is left as it is: it may be one the user chose for other things too (the server restricts
 * its own data folder at start).
 */
function restrictDatabaseFiles(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, "wx", 0o600));
  } catch (error) {
    if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) throw error;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      const mode = statSync(file).mode & 0o777;
      if ((mode & 0o077) === 0) continue;
      chmodSync(file, 0o600);
      process.emitWarning(`${file} was readable by other users (mode ${mode.toString(8)}); changed to 600`, {
        code: "HOOKLINE_PERMISSIONS",
      });
    } catch (error) {
      // The -wal and -shm exist only while a connection is open: another process may just have closed its own.
      if (!(error instanceof Error && "code" in error && error.code === "ENOENT")) throw error;
    }
  }
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

// Compiled once: these run for every transaction.
const BEGIN = CompiledQuery.raw("begin immediate");
const COMMIT = CompiledQuery.raw("commit");
const ROLLBACK = CompiledQuery.raw("rollback");

/**
 * SQLite transactions start with BEGIN IMMEDIATE: the write lock is taken up front, so a transaction that reads
 * and then writes can never fail half-way because another process wrote in between.
 */
export async function sqliteTransact<T>(
  handle: SqliteHandle,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return handle.db.connection().execute(async (conn) => {
    // Holding the connection: when the checkpointer asks, nothing of this process writes until it is done.
    const pause = handle.gate();
    if (pause) await pause;
    await conn.executeQuery(BEGIN);
    const release = holdDirect(conn, handle.direct);
    try {
      const out = await fn(conn);
      release();
      await conn.executeQuery(COMMIT);
      handle.committed();
      return out;
    } catch (error) {
      release();
      await conn.executeQuery(ROLLBACK).catch(() => undefined);
      throw error;
    }
  });
}
