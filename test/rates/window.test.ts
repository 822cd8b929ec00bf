/**
 * Per-key rates counted in the database (spec 12.3): a sliding estimate over two fixed minutes, shared by every
 * process that opens the same database, and refused requests that are not counted.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import { hitRate, pruneRates } from "../../src/rates/index.js";
import { openStore, type Store } from "../../src/store/index.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");

describe.each(dialects())("rate windows on %s", (dialect) => {
  let database: TestDb;
  let stores: Store[];
  let clock: ManualClock;
  beforeEach(async () => {
    database = await freshDatabase(dialect);
    // Two handles on one database: two processes of one installation.
    stores = [await openStore(database.target), await openStore(database.target)];
    clock = new ManualClock(T0);
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
    await database.drop();
  });

  const hit = (i: number, limit = 5, owner = "key_a") =>
    stores[i % 2]!.transact((trx) => hitRate(trx, owner, "api", limit, clock.now()));

  it("lets `limit` requests a minute through, across processes, then refuses with the wait", async () => {
    for (let i = 0; i < 5; i++) expect(await hit(i)).toEqual({ ok: true });
    expect(await hit(5)).toEqual({ ok: false, retryAfterS: 60 });
    // Another key has its own count.
    expect(await hit(6, 5, "key_b")).toEqual({ ok: true });
    clock.advance(30_000);
    expect(await hit(7)).toEqual({ ok: false, retryAfterS: 30 });
  });

  it("slides: the previous minute weighs what the window still covers of it", async () => {
    for (let i = 0; i < 5; i++) await hit(i);
    // 15 s into the next minute, 75 % of the previous one still counts: 3.75 + 1 ≤ 5, then 3.75 + 2 > 5.
    clock.advance(75_000);
    expect(await hit(0)).toEqual({ ok: true });
    const refused = await hit(1);
    expect(refused.ok).toBe(false);
    // It passes once the previous minute's share is down to 3 of 5: at 24 s, 9 s from now.
    expect(refused).toEqual({ ok: false, retryAfterS: 9 });
    clock.advance(9_000);
    expect(await hit(0)).toEqual({ ok: true });
  });

  it("does not count refused requests, and prunes windows no estimate reads", async () => {
    for (let i = 0; i < 20; i++) await hit(i, 2);
    const rows = await stores[0]!.db.selectFrom("rate_counters").selectAll().execute();
    expect(rows.map((r) => Number(r.count))).toEqual([2]);
    clock.advance(120_000);
    expect(await pruneRates(stores[0]!.db, clock.now())).toBe(1);
  });
});
