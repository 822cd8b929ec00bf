import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/lib/clock.js";
import { HooklineError } from "../../src/lib/errors.js";
import type { Runner } from "../../src/tasks/index.js";
import { claimTasks } from "../../src/tasks/queue.js";
import { dialects, freshStore } from "../helpers/db.js";
import { waitFor } from "../helpers/wait.js";
import {
  gate,
  LEASE_MS,
  messagesOf,
  newClock,
  queueTasks,
  runnerFor,
  taskRow,
  testFamily,
  untilAborted,
} from "./fixtures.js";

/** The runner keeps DESIGN invariant 2: a dead or stopped worker's tasks go to another. */
describe.each(dialects())("runner on %s", (dialect) => {
  let store: Awaited<ReturnType<typeof freshStore>>;
  let clock: ManualClock;
  const runners: Runner[] = [];
  const gates: ReturnType<typeof gate>[] = [];
  beforeEach(async () => {
    store = await freshStore(dialect);
    clock = newClock();
  });
  afterEach(async () => {
    for (const g of gates.splice(0)) g.open();
    for (const r of runners.splice(0)) await r.stop(100);
    await store.drop();
  });

  function hangingFamily() {
    const g = gate();
    gates.push(g);
    return { ...testFamily("A", () => g.opened), gate: g };
  }

  it("runs a queued task to SUCCESS and enqueues its callback", async () => {
    const [id] = await queueTasks(store, clock.now());
    const t = testFamily("A");
    const runner = runnerFor(store, clock, "A", t.family);
    expect(await runner.runOnce()).toBe(1);
    expect(t.runs).toEqual([id]);
    expect(await taskRow(store, id!)).toMatchObject({ status: "SUCCESS", action: null, lease_owner: null });
    expect(await messagesOf(store, id!)).toHaveLength(1);
    expect(await runner.runOnce()).toBe(0);
  });

  it("a second runner takes over a hung runner's task after the lease expires; the late result is dropped", async () => {
    const [id] = await queueTasks(store, clock.now());
    const hung = hangingFamily();
    const a = runnerFor(store, clock, "A", hung.family);
    // runOnce renews nothing, like a process that froze: its lease simply runs out.
    const aDone = a.runOnce();
    await waitFor("hung.runs.length === 1", () => hung.runs.length === 1);
    const quick = testFamily("B");
    const b = runnerFor(store, clock, "B", quick.family);
    expect(await b.runOnce()).toBe(0);
    clock.advance(LEASE_MS + 1);
    expect(await b.runOnce()).toBe(1);
    expect(quick.runs).toEqual([id]);
    expect(await taskRow(store, id!)).toMatchObject({ status: "SUCCESS", runs: 2, lease_owner: null });

    hung.gate.open();
    expect(await aDone).toBe(1);
    const row = await taskRow(store, id!);
    expect(JSON.parse(row.result ?? "{}")).toEqual({ by: "B" });
    const messages = await messagesOf(store, id!);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]!.body).by).toBe("B");
  });

  it("a live runner renews its leases, so nobody takes its task", async () => {
    const [id] = await queueTasks(store, clock.now());
    const hung = hangingFamily();
    const leaseMs = 300;
    const a = runnerFor(store, clock, "A", hung.family, { leaseMs });
    runners.push(a);
    a.start();
    await waitFor("a.active === 1", () => a.active === 1);
    const first = (await taskRow(store, id!)).lease_until!;
    for (let i = 0; i < 3; i++) {
      clock.advance(leaseMs - 50);
      // The renewal timer (every leaseMs/3 of real time) moves the lease on from the new "now".
      await waitFor(
        "(await taskRow(store, id!)).lease_until === clock.now() + leaseMs",
        async () => (await taskRow(store, id!)).lease_until === clock.now() + leaseMs,
      );
    }
    // Well past the first lease, yet still held.
    expect(clock.now()).toBeGreaterThan(first + leaseMs);
    expect(await claimTasks(store, "B", 1, clock.now(), leaseMs)).toEqual([]);
    expect((await taskRow(store, id!)).lease_owner).toBe("A");
    hung.gate.open();
    await waitFor("a.active === 0", () => a.active === 0);
    expect(await taskRow(store, id!)).toMatchObject({ status: "SUCCESS", runs: 1 });
  });

  it("never runs one task twice at once, even when it claims its own expired lease again", async () => {
    const [id] = await queueTasks(store, clock.now());
    const hung = hangingFamily();
    const leaseMs = 300;
    const a = runnerFor(store, clock, "A", hung.family, { leaseMs });
    runners.push(a);
    a.start();
    await waitFor("a.active === 1", () => a.active === 1);
    // Jump past the lease before the renewal timer fires: the poll loop finds the task claimable again.
    clock.advance(leaseMs * 10);
    await waitFor(
      "(await taskRow(store, id!)).lease_until === clock.now() + leaseMs",
      async () => (await taskRow(store, id!)).lease_until === clock.now() + leaseMs,
    );
    await new Promise((r) => setTimeout(r, 60)); // a few poll rounds (pollMs 20)
    expect(hung.runs).toEqual([id]);
    expect(a.active).toBe(1);
    hung.gate.open();
    await waitFor("a.active === 0", () => a.active === 0);
    expect(await messagesOf(store, id!)).toHaveLength(1);
  });

  it("stop(grace) aborts a long task and gives its lease back: claimable at once, run not counted", async () => {
    const [id] = await queueTasks(store, clock.now());
    const reasons: unknown[] = [];
    const slow = testFamily("A", async (_task, signal) => {
      signal.addEventListener("abort", () => reasons.push(signal.reason), { once: true });
      await untilAborted(signal);
    });
    const a = runnerFor(store, clock, "A", slow.family);
    a.start();
    await waitFor("a.active === 1", () => a.active === 1);
    expect((await taskRow(store, id!)).runs).toBe(1);
    await a.stop(50);
    expect(a.active).toBe(0);
    expect(reasons).toHaveLength(1);
    expect(slow.failures).toEqual([]);
    expect(await taskRow(store, id!)).toMatchObject({
      status: "PENDING",
      action: "go",
      lease_owner: null,
      lease_until: null,
      runs: 0,
    });
    expect(await messagesOf(store, id!)).toHaveLength(0);
    // No clock movement needed: another owner gets it straight away.
    const quick = testFamily("B");
    expect(await runnerFor(store, clock, "B", quick.family).runOnce()).toBe(1);
    expect(await taskRow(store, id!)).toMatchObject({ status: "SUCCESS", runs: 1 });
  });

  it("stop(grace) lets a task that finishes within the grace period complete", async () => {
    const [id] = await queueTasks(store, clock.now());
    const g = gate();
    gates.push(g);
    const t = testFamily("A", () => g.opened);
    const a = runnerFor(store, clock, "A", t.family);
    a.start();
    await waitFor("a.active === 1", () => a.active === 1);
    const stopping = a.stop(5_000);
    setTimeout(() => g.open(), 30);
    await stopping;
    expect(await taskRow(store, id!)).toMatchObject({ status: "SUCCESS", lease_owner: null });
    expect(await messagesOf(store, id!)).toHaveLength(1);
  });

  it("fails a task through family.failed once it was claimed more than maxRuns times", async () => {
    const [id] = await queueTasks(store, clock.now());
    const maxRuns = 3;
    // Three workers each claim it and die.
    for (let i = 0; i < maxRuns; i++) {
      expect(await claimTasks(store, `dead${i}`, 1, clock.now(), LEASE_MS)).toHaveLength(1);
      clock.advance(LEASE_MS + 1);
    }
    const t = testFamily("A");
    const runner = runnerFor(store, clock, "A", t.family, { maxRuns });
    expect(await runner.runOnce()).toBe(1);
    expect(t.runs).toEqual([]);
    expect(t.failures).toHaveLength(1);
    expect(t.failures[0]!.message).toMatch(/abandoned after 3/);
    expect(await taskRow(store, id!)).toMatchObject({ status: "FAILED", action: null, runs: 4 });
    const messages = await messagesOf(store, id!);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]!.body).status).toBe("FAILED");
  });

  it("turns a thrown error into the family's failure outcome", async () => {
    const [id] = await queueTasks(store, clock.now());
    const t = testFamily("A", async () => {
      throw new Error("decoder exploded");
    });
    expect(await runnerFor(store, clock, "A", t.family).runOnce()).toBe(1);
    expect(t.failures).toEqual([{ id, message: "decoder exploded" }]);
    expect(await taskRow(store, id!)).toMatchObject({ status: "FAILED", error_message: "decoder exploded" });
  });

  it("gives a task back, not failed, when a service it needs is unavailable, and runs it again later", async () => {
    const [id] = await queueTasks(store, clock.now());
    let calls = 0;
    const t = testFamily("A", async () => {
      calls++;
      if (calls === 1) throw new HooklineError("unavailable", "File storage did not answer; try again later");
    });
    const runner = runnerFor(store, clock, "A", t.family);
    expect(await runner.runOnce()).toBe(1);
    expect(t.failures).toEqual([]);
    // Given back uncounted: an outage does not use up the task's runs.
    expect(await taskRow(store, id!)).toMatchObject({ status: "PENDING", lease_owner: null, runs: 0 });
    // Not due at once: storage that is away is not hammered.
    expect(await runner.runOnce()).toBe(0);
    clock.advance(15_001);
    expect(await runner.runOnce()).toBe(1);
    expect(await taskRow(store, id!)).toMatchObject({ status: "SUCCESS", runs: 1 });
    expect(await messagesOf(store, id!)).toHaveLength(1);
  });
});
