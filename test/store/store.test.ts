import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { ensureSecret, openStore, type Store } from "../../src/store/index.js";
import { MIGRATIONS as MIGRATION_LIST } from "../../src/store/migrations/index.js";
import { insertTask } from "../../src/tasks/index.js";
import { dialects, freshDatabase, freshStore, type TestDb } from "../helpers/db.js";

const TABLES = [
  "api_keys",
  "files",
  "tasks",
  "tracks",
  "messages",
  "attempts",
  "settings",
  "voices",
  "storage_usage",
  "rate_counters",
] as const;
// Far above 2^31 (a plain int4 would overflow) and typical of epoch milliseconds.
const T = Date.parse("2026-03-01T12:00:00Z");

/** Every migration the code ships, in order (their names are pinned in migrations.test.ts). */
const MIGRATIONS = MIGRATION_LIST.map((m) => m.name);

describe.each(dialects())("store on %s", (dialect) => {
  const opened: Store[] = [];
  let database: TestDb | null = null;

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await database?.drop();
    database = null;
  });

  async function open(): Promise<Store> {
    database ??= await freshDatabase(dialect);
    const store = await openStore(database.target);
    opened.push(store);
    return store;
  }

  async function migrationNames(store: Store): Promise<string[]> {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      store.db,
    );
    return rows.map((r) => r.name);
  }

  it("applies the migrations: every table exists and is empty", async () => {
    const store = await open();
    expect(store.dialect).toBe(dialect);
    for (const table of TABLES) {
      const row = await store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      expect(Number(row.n), table).toBe(0);
    }
    expect(await migrationNames(store)).toEqual(MIGRATIONS);
  });

  it("is idempotent: opening the same database again applies nothing and keeps the data", async () => {
    const first = await open();
    await first.db.insertInto("settings").values({ key: "k", value: "v" }).execute();
    await first.close();
    opened.splice(0);
    const second = await open();
    expect(await migrationNames(second)).toEqual(MIGRATIONS);
    const row = await second.db.selectFrom("settings").selectAll().executeTakeFirst();
    expect(row).toEqual({ key: "k", value: "v" });
  });

  it.runIf(dialect === "postgres")("survives two processes migrating the same database at once", async () => {
    database = await freshDatabase(dialect);
    const target = database.target;
    const both = await Promise.all([openStore(target), openStore(target), openStore(target)]);
    opened.push(...both);
    for (const s of both) expect(await migrationNames(s)).toEqual(MIGRATIONS);
  });

  it("0005 rewrites WAV only-once keys of tasks made before it to the track-led form, once", async () => {
    // As a database made before 0005: opened at 0004, written, then opened again by this version.
    database ??= await freshDatabase(dialect);
    const first = await openStore(database.target, { migrateTo: "0004_key_generation" });
    // Written with the columns 0004 knew (today's insert names later ones).
    const task = (id: string, family: string, dedupeKey: string | null, parentId: string | null) =>
      first.db
        .insertInto("tasks")
        .values({
          id,
          owner_id: "key_a",
          family,
          status: "SUCCESS",
          action: null,
          input: "{}",
          result: null,
          error_code: null,
          error_message: null,
          callback_url: null,
          parent_id: parentId,
          dedupe_key: dedupeKey,
          run_at: T,
          lease_owner: null,
          lease_until: null,
          runs: 0,
          created_at: T,
          updated_at: T,
          completed_at: T,
        })
        .execute();
    await task("a".repeat(32), "wav", "wav:11111111-1111-4111-8111-111111111111", "m".repeat(32));
    await task(
      "b".repeat(32),
      "wav",
      `wav:${"n".repeat(32)}/22222222-2222-4222-8222-222222222222`,
      "n".repeat(32),
    );
    await task("c".repeat(32), "cover", "cover:x", "m".repeat(32));
    await first.close();
    const second = await open();
    expect(await migrationNames(second)).toEqual(MIGRATIONS);
    const keys = await second.db.selectFrom("tasks").select(["id", "dedupe_key"]).orderBy("id").execute();
    expect(keys.map((k) => k.dedupe_key)).toEqual([
      `wav:${"m".repeat(32)}/11111111-1111-4111-8111-111111111111`,
      `wav:${"n".repeat(32)}/22222222-2222-4222-8222-222222222222`,
      "cover:x",
    ]);
  });

  it("0008 gives each only-once key's newest task the slot, and the index refuses a second holder", async () => {
    database ??= await freshDatabase(dialect);
    const first = await openStore(database.target, { migrateTo: "0007_simulation" });
    const task = (id: string, dedupeKey: string | null, at: number) =>
      first.db
        .insertInto("tasks")
        .values({
          ...{ id, owner_id: "key_a", family: "cover", status: "SUCCESS", action: null, input: "{}" },
          ...{ result: null, error_code: null, error_message: null, callback_url: null, parent_id: null },
          ...{ dedupe_key: dedupeKey, run_at: at, lease_owner: null, lease_until: null, runs: 0 },
          ...{ created_at: at, updated_at: at, completed_at: at },
        })
        .execute();
    await task("a".repeat(32), "cover:m", T);
    await task("b".repeat(32), "cover:m", T + 1);
    await task("c".repeat(32), "cover:n", T);
    await task("d".repeat(32), null, T);
    await first.close();
    const second = await open();
    const rows = await second.db.selectFrom("tasks").select(["id", "standing_key"]).orderBy("id").execute();
    expect(rows.map((r) => r.standing_key)).toEqual([null, "cover:m", "cover:n", null]);
    await expect(
      second.db
        .updateTable("tasks")
        .set({ standing_key: "cover:m" })
        .where("id", "=", "a".repeat(32))
        .execute(),
    ).rejects.toThrow(/unique|UNIQUE/);
  });

  it("0012 keeps each waiting round's trigger: a simulated repetition, a redelivery, a first round", async () => {
    database ??= await freshDatabase(dialect);
    const before = await openStore(database.target, { migrateTo: "0011_rate_limits" });
    opened.push(before);
    const message = (id: string, rounds: number, total: number, simulate: string | null) => ({
      ...{ id, task_id: "t".repeat(32), owner_id: "key_a", event: "complete", url: "http://127.0.0.1:9/x" },
      ...{ body: "{}", sign_task_id: "t".repeat(32), state: "pending", round_attempts: rounds },
      ...{ total_attempts: total, next_at: T, lease_owner: null, lease_until: null, created_at: T },
      ...{ delivered_at: null, simulate },
    });
    // Written as 0011 left the table: no round_trigger column yet.
    await before.db
      .insertInto("messages")
      .values([
        message("msg_repeat", 0, 1, JSON.stringify({ duplicates: 1, badSignature: false, repeat: true })),
        message("msg_manual", 0, 3, JSON.stringify({ duplicates: 0, badSignature: true, repeat: false })),
        message("msg_manual_plain", 0, 2, null),
        message("msg_first", 0, 0, null),
        message("msg_retrying", 2, 2, null),
      ])
      .execute();
    await before.close();
    opened.splice(0);
    const after = await openStore(database.target);
    opened.push(after);
    const rows = await after.db
      .selectFrom("messages")
      .select(["id", "round_trigger"])
      .orderBy("id")
      .execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.round_trigger]))).toEqual({
      msg_first: "auto",
      msg_manual: "manual",
      msg_manual_plain: "manual",
      msg_repeat: "duplicate",
      msg_retrying: "auto",
    });
  });

  it("0013 gives every message, delivered or not, the host:port its URL reaches, lower-cased", async () => {
    database ??= await freshDatabase(dialect);
    const before = await openStore(database.target, { migrateTo: "0012_round_trigger" });
    opened.push(before);
    const message = (id: string, url: string, state: string) => ({
      ...{ id, task_id: "t".repeat(32), owner_id: "key_a", event: "complete", url, body: "{}" },
      ...{ sign_task_id: "t".repeat(32), state, round_attempts: 0, total_attempts: 0, next_at: T },
      ...{ lease_owner: null, lease_until: null, created_at: T, delivered_at: null, simulate: null },
    });
    await before.db
      .insertInto("messages")
      .values([
        message("msg_a", "https://Hooks.Example.com/cb?x=1", "pending"),
        message("msg_b", "https://hooks.example.com:443/other", "delivered"),
        message("msg_c", "http://hooks.example.com/cb", "failed"),
        message("msg_d", "http://[::1]:8080/cb", "pending"),
      ])
      .execute();
    await before.close();
    opened.splice(0);
    const after = await openStore(database.target);
    opened.push(after);
    const rows = await after.db.selectFrom("messages").select(["id", "target_host"]).orderBy("id").execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.target_host]))).toEqual({
      msg_a: "hooks.example.com:443",
      msg_b: "hooks.example.com:443",
      msg_c: "hooks.example.com:80",
      msg_d: "[::1]:8080",
    });
  });

  it("returns bigint times as JavaScript numbers", async () => {
    const store = await open();
    await store.transact((trx) =>
      insertTask(
        trx,
        {
          id: "t1",
          ownerId: "key_1",
          family: "x",
          status: "PENDING",
          action: "go",
          input: { a: 1 },
          callbackUrl: null,
        },
        T,
      ),
    );
    const row = await store.db.selectFrom("tasks").selectAll().executeTakeFirstOrThrow();
    for (const v of [row.created_at, row.updated_at, row.run_at, row.runs]) expect(typeof v).toBe("number");
    expect(row.created_at).toBe(T);
    const sum = await store.db
      .selectFrom("tasks")
      .select((eb) => eb("created_at", "+", 1).as("later"))
      .executeTakeFirstOrThrow();
    expect(sum.later).toBe(T + 1);
  });

  it("transact commits what the function wrote and returns its value", async () => {
    const store = await open();
    const out = await store.transact(async (trx) => {
      await trx.insertInto("settings").values({ key: "a", value: "1" }).execute();
      return 42;
    });
    expect(out).toBe(42);
    expect(await store.db.selectFrom("settings").selectAll().execute()).toHaveLength(1);
  });

  it("transact rolls everything back when the function throws", async () => {
    const store = await open();
    await store.db.insertInto("settings").values({ key: "kept", value: "0" }).execute();
    await expect(
      store.transact(async (trx) => {
        await trx.insertInto("settings").values({ key: "a", value: "1" }).execute();
        await trx.updateTable("settings").set({ value: "changed" }).where("key", "=", "kept").execute();
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const rows = await store.db.selectFrom("settings").selectAll().execute();
    expect(rows).toEqual([{ key: "kept", value: "0" }]);
    // The connection is usable after the rollback.
    await store.transact((trx) => trx.insertInto("settings").values({ key: "b", value: "2" }).execute());
    expect(await store.db.selectFrom("settings").selectAll().execute()).toHaveLength(2);
  });

  it("ensureSecret creates a 32-byte secret once and returns the same one afterwards", async () => {
    const store = await freshStore(dialect);
    try {
      const a = await ensureSecret(store, "url_signing_key");
      const b = await ensureSecret(store, "url_signing_key");
      expect(a).toHaveLength(32);
      expect(b.equals(a)).toBe(true);
      expect((await ensureSecret(store, "other")).equals(a)).toBe(false);
    } finally {
      await store.drop();
    }
  });
});
