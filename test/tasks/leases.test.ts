import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/lib/clock.js";
import { openStore, type Store } from "../../src/store/index.js";
import { claimTasks, releaseTasks, renewTaskLeases } from "../../src/tasks/queue.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import { LEASE_MS, newClock, queueTasks, taskRow } from "./fixtures.js";

const ids = (tasks: { id: string }[]) => tasks.map((t) => t.id);

/** DESIGN invariant 2: work is claimed by lease; an expired lease is taken over, a live one never. */
describe.each(dialects())("task leases on %s", (dialect) => {
  let database: TestDb;
  let store: Store;
  const extra: Store[] = [];
  let clock: ManualClock;
  beforeEach(async () => {
    database = await freshDatabase(dialect);
    store = await openStore(database.target);
    clock = newClock();
  });
  afterEach(async () => {
    for (const s of extra.splice(0)) await s.close();
    await store.close();
    await database.drop();
  });

  it("gives two owners disjoint sets and records who holds each lease", async () => {
    const queued = await queueTasks(store, clock.now(), 5);
    const a = await claimTasks(store, "A", 3, clock.now(), LEASE_MS);
    const b = await claimTasks(store, "B", 3, clock.now(), LEASE_MS);
    expect(a).toHaveLength(3);
    expect(b).toHaveLength(2);
    expect(ids(a).filter((id) => ids(b).includes(id))).toEqual([]);
    expect([...ids(a), ...ids(b)].sort()).toEqual([...queued].sort());
    for (const t of a) {
      const row = await taskRow(store, t.id);
      expect(row).toMatchObject({ lease_owner: "A", lease_until: clock.now() + LEASE_MS, runs: 1 });
    }
    expect(await claimTasks(store, "C", 10, clock.now(), LEASE_MS)).toEqual([]);
  });

  it("never hands a task to two owners claiming at once from separate connections", async () => {
    const n = 60;
    const queued = await queueTasks(store, clock.now(), n);
    for (let i = 0; i < 3; i++) extra.push(await openStore(database.target));
    const stores = [store, ...extra];
    const got = new Map<string, string[]>();
    // Every owner keeps claiming small batches in parallel until the queue is empty.
    await Promise.all(
      stores.map(async (s, i) => {
        const mine: string[] = [];
        got.set(`owner${i}`, mine);
        for (;;) {
          const batch = await claimTasks(s, `owner${i}`, 4, clock.now(), LEASE_MS);
          if (batch.length === 0) break;
          mine.push(...ids(batch));
        }
      }),
    );
    const all = [...got.values()].flat();
    expect(all).toHaveLength(n);
    expect(new Set(all).size).toBe(n);
    expect([...all].sort()).toEqual([...queued].sort());
    for (const [owner, mine] of got) {
      for (const id of mine) expect((await taskRow(store, id)).lease_owner).toBe(owner);
    }
  });

  it("lets another owner take a task once its lease has expired, and not a moment before", async () => {
    const [id] = await queueTasks(store, clock.now());
    expect(ids(await claimTasks(store, "A", 1, clock.now(), LEASE_MS))).toEqual([id]);
    clock.advance(LEASE_MS);
    // lease_until == now: still held.
    expect(await claimTasks(store, "B", 1, clock.now(), LEASE_MS)).toEqual([]);
    clock.advance(1);
    const taken = await claimTasks(store, "B", 1, clock.now(), LEASE_MS);
    expect(ids(taken)).toEqual([id]);
    expect(taken[0]!.runs).toBe(2);
    expect(await taskRow(store, id!)).toMatchObject({
      lease_owner: "B",
      lease_until: clock.now() + LEASE_MS,
    });
  });

  it("does not claim a task before its run_at, nor a finished one", async () => {
    const [later] = await queueTasks(store, clock.now() + 5_000);
    const [idle] = await queueTasks(store, clock.now());
    await store.db.updateTable("tasks").set({ action: null }).where("id", "=", idle!).execute();
    expect(await claimTasks(store, "A", 5, clock.now(), LEASE_MS)).toEqual([]);
    clock.advance(5_000);
    expect(ids(await claimTasks(store, "A", 5, clock.now(), LEASE_MS))).toEqual([later]);
  });

  it("keeps a renewed lease out of reach; only the holder can renew", async () => {
    const [id] = await queueTasks(store, clock.now());
    await claimTasks(store, "A", 1, clock.now(), LEASE_MS);
    clock.advance(LEASE_MS - 1_000);
    await renewTaskLeases(store.db, "A", [id!], clock.now() + LEASE_MS);
    // A stranger's renewal changes nothing.
    await renewTaskLeases(store.db, "B", [id!], clock.now() + 10 * LEASE_MS);
    clock.advance(LEASE_MS - 1_000);
    expect(await claimTasks(store, "B", 1, clock.now(), LEASE_MS)).toEqual([]);
    expect((await taskRow(store, id!)).lease_owner).toBe("A");
    clock.advance(1_001);
    expect(ids(await claimTasks(store, "B", 1, clock.now(), LEASE_MS))).toEqual([id]);
  });

  it("releaseTasks makes the tasks claimable at once without counting the run", async () => {
    const queued = await queueTasks(store, clock.now(), 2);
    const a = await claimTasks(store, "A", 2, clock.now(), LEASE_MS);
    expect(a).toHaveLength(2);
    await releaseTasks(store.db, "B", queued); // not B's to give back
    expect(await claimTasks(store, "B", 2, clock.now(), LEASE_MS)).toEqual([]);
    await releaseTasks(store.db, "A", queued);
    for (const id of queued) {
      expect(await taskRow(store, id)).toMatchObject({ lease_owner: null, lease_until: null, runs: 0 });
    }
    const b = await claimTasks(store, "B", 2, clock.now(), LEASE_MS);
    expect(ids(b).sort()).toEqual([...queued].sort());
    expect(b.every((t) => t.runs === 1)).toBe(true);
  });
});
