/**
 * Fair claiming (issue 9, finding 4; DESIGN invariant 8): tasks are claimed by start-time fair queueing across
 * keys, so one key's backlog delays another key's task by about one task per runner slot, not by the backlog.
 * Before, claims went by arrival: behind key A's 300 queued conversions, key B's one waited 94.6 s.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/lib/clock.js";
import { openStore, type Store } from "../../src/store/index.js";
import { claimTasks, completeTask } from "../../src/tasks/queue.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import { doneOutcome, LEASE_MS, newClock, queueTasks } from "./fixtures.js";

describe.each(dialects())("fair claiming on %s", (dialect) => {
  let database: TestDb;
  let store: Store;
  let clock: ManualClock;
  beforeEach(async () => {
    database = await freshDatabase(dialect);
    store = await openStore(database.target);
    clock = newClock();
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  const owners = async (ids: readonly string[]) => {
    const rows = await store.db.selectFrom("tasks").select(["id", "owner_id"]).execute();
    const by = new Map(rows.map((r) => [r.id, r.owner_id]));
    return ids.map((id) => by.get(id));
  };

  it("claims another key's new task next, however long the first key's backlog", async () => {
    await queueTasks(store, clock.now(), 50, "test", "key_a");
    // Two runner slots busy with A's first tasks when B's task arrives: the next free slot takes B's.
    const first = await claimTasks(store, "slot1", 2, clock.now(), LEASE_MS);
    expect(await owners(first.map((t) => t.id))).toEqual(["key_a", "key_a"]);
    clock.advance(1_000);
    const [b] = await queueTasks(store, clock.now(), 1, "test", "key_b");
    const [next] = await claimTasks(store, "slot1", 1, clock.now(), LEASE_MS);
    expect(next?.id).toBe(b);
    // Queued before any slot was taken, it would have been among the first two.
    await queueTasks(store, clock.now(), 1, "test", "key_c");
    const [afterB] = await claimTasks(store, "slot2", 1, clock.now(), LEASE_MS);
    expect(await owners([afterB?.id ?? ""])).toEqual(["key_c"]);
  });

  it("interleaves two backlogs queued one after the other", async () => {
    await queueTasks(store, clock.now(), 6, "test", "key_a");
    clock.advance(1_000);
    await queueTasks(store, clock.now(), 6, "test", "key_b");
    clock.advance(1_000);
    const order: (string | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      const pair = await claimTasks(store, `w${i}`, 2, clock.now(), LEASE_MS);
      order.push(...(await owners(pair.map((t) => t.id))).sort());
    }
    expect(order).toEqual(Array.from({ length: 6 }, () => ["key_a", "key_b"]).flat());
  });

  it("gives a key that comes back no credit for the time it was idle", async () => {
    await queueTasks(store, clock.now(), 3, "test", "key_b");
    for (const t of await claimTasks(store, "w", 3, clock.now(), LEASE_MS)) {
      expect(await completeTask(store, t, "w", doneOutcome(t), clock.now())).toBe(true);
    }
    await queueTasks(store, clock.now(), 4, "test", "key_a");
    clock.advance(1_000);
    await queueTasks(store, clock.now(), 4, "test", "key_b");
    const pairs: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      const pair = await claimTasks(store, `x${i}`, 2, clock.now(), LEASE_MS);
      pairs.push(...(await owners(pair.map((t) => t.id))).sort());
    }
    // B's earlier work, long done, buys it nothing: the two keys alternate.
    expect(pairs).toEqual(Array.from({ length: 4 }, () => ["key_a", "key_b"]).flat());
  });
});
