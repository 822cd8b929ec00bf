import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.js";
import { MIGRATIONS, migrate } from "../../src/store/migrations/index.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";

/**
 * The names that databases already record in `kysely_migration`, written out rather than derived: a step
 * renamed by mistake would run again on every existing database (and fail there), so a rename must fail here.
 * A new migration is added at the end.
 */
const SHIPPED = [
  "0001_initial",
  "0002_hot_path_indexes",
  "0003_attempts_by_message",
  "0004_key_generation",
  "0005_wav_dedupe_by_track",
  "0006_voices",
  "0007_simulation",
  "0008_only_once",
  "0009_fair_claims",
  "0010_storage_usage",
  "0011_rate_limits",
  "0012_round_trigger",
  "0013_message_target_host",
  "0014_console_sessions",
  "0015_task_views",
  "0016_attempt_headers",
  "0017_stream_attempts",
  "0018_track_artist",
];

const FOLDER = fileURLToPath(new URL("../../src/store/migrations/", import.meta.url));

describe("the migration list", () => {
  const names = MIGRATIONS.map((m) => m.name);

  it("holds today's migrations under the names databases recorded, in order", () => {
    expect(names).toEqual(SHIPPED);
  });

  it("sorts by name in list order, the order Kysely applies them in", () => {
    expect([...names].sort()).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
  });

  it("has one file per migration, named as it and exporting only it", async () => {
    const files = readdirSync(FOLDER)
      .filter((f) => /^\d{4}_\w+\.ts$/.test(f))
      .sort();
    expect(files.map((f) => f.slice(0, -".ts".length))).toEqual(names);
    for (const [i, file] of files.entries()) {
      const exported = Object.values(
        await import(`../../src/store/migrations/${file.replace(/\.ts$/, ".js")}`),
      );
      expect(exported, file).toHaveLength(1);
      expect(exported[0], file).toBe(MIGRATIONS[i]);
    }
  });
});

describe.each(dialects())("migrate on %s", (dialect) => {
  let database: TestDb | null = null;
  const opened: Store[] = [];

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await database?.drop();
    database = null;
  });

  async function open(migrateTo?: string): Promise<Store> {
    database ??= await freshDatabase(dialect);
    const store = await openStore(database.target, migrateTo === undefined ? {} : { migrateTo });
    opened.push(store);
    return store;
  }

  it("applies nothing to a database already migrated, and leaves it writable", async () => {
    const store = await open();
    expect(await migrate(store.db, dialect)).toEqual({ results: [] });
    // On SQLite the run holds BEGIN IMMEDIATE: a transaction left open would make this write fail.
    await store.transact((trx) => trx.insertInto("settings").values({ key: "k", value: "v" }).execute());
    expect(await store.db.selectFrom("settings").selectAll().execute()).toEqual([{ key: "k", value: "v" }]);
  });

  it("applies only the steps a database lacks, by name", async () => {
    const older = await open("0004_key_generation");
    const results = await migrate(older.db, dialect);
    expect(results.error).toBeUndefined();
    expect(results.results?.map((r) => [r.migrationName, r.status])).toEqual(
      MIGRATIONS.slice(4).map((m) => [m.name, "Success"]),
    );
  });
});
