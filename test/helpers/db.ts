import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store, type StoreTarget } from "../../src/store/index.js";
import { POSTGRES_URL } from "./env.js";

let warned = false;
/**
 * The databases the storage and engine suites loop over. SQLite always; PostgreSQL when
 * HOOKLINE_TEST_DATABASE_URL is set (`.ci/run` sets it), with a loud notice when it is not.
 */
export function dialects(): ("sqlite" | "postgres")[] {
  if (!POSTGRES_URL && !warned) {
    warned = true;
    process.stderr.write(
      "\n*** HOOKLINE_TEST_DATABASE_URL is not set: the PostgreSQL variants of the storage and engine suites are SKIPPED. ***\n\n",
    );
  }
  return POSTGRES_URL ? ["sqlite", "postgres"] : ["sqlite"];
}

export interface TestDb {
  readonly target: StoreTarget;
  /** Removes the database (the temp file, or the Postgres database). */
  drop(): Promise<void>;
}

/** A fresh, empty database of the given dialect. */
export async function freshDatabase(dialect: "sqlite" | "postgres"): Promise<TestDb> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "hookline-db-"));
    return {
      target: { kind: "sqlite", path: join(dir, "test.db") },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `hookline_t_${randomBytes(6).toString("hex")}`;
  const pg = (await import("pg")).default;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    target: { kind: "postgres", url: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Opens a migrated store on a fresh database; `close()` also drops it. */
export async function freshStore(dialect: "sqlite" | "postgres"): Promise<Store & { drop(): Promise<void> }> {
  const db = await freshDatabase(dialect);
  const store = await openStore(db.target);
  return {
    ...store,
    drop: async () => {
      await store.close();
      await db.drop();
    },
  };
}
