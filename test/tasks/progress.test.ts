import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/lib/clock.js";
import type { Family } from "../../src/tasks/index.js";
import { dialects, freshStore } from "../helpers/db.js";
import { waitFor } from "../helpers/wait.js";
import { doneOutcome, gate, newClock, queueTasks, runnerFor, taskRow } from "./fixtures.js";

/** A family may show a working status while its action runs (voice: `processing_validate`). */
describe.each(dialects())("progress status on %s", (dialect) => {
  let store: Awaited<ReturnType<typeof freshStore>>;
  let clock: ManualClock;
  beforeEach(async () => {
    store = await freshStore(dialect);
    clock = newClock();
  });
  afterEach(async () => {
    await store.drop();
  });

  it("is visible while the action runs, and the outcome's status replaces it", async () => {
    const [id] = await queueTasks(store, clock.now());
    const g = gate();
    const written: boolean[] = [];
    const family: Family = {
      name: "test",
      async run(task, { progress }) {
        written.push(await progress("WORKING"));
        await g.opened;
        return doneOutcome(task, "SUCCESS");
      },
      failed: (task) => doneOutcome(task, "FAILED"),
    };
    const runner = runnerFor(store, clock, "A", family);
    const done = runner.runOnce();
    await waitFor(
      '(await taskRow(store, id!)).status === "WORKING"',
      async () => (await taskRow(store, id!)).status === "WORKING",
    );
    expect(written).toEqual([true]);
    g.open();
    await done;
    expect(await taskRow(store, id!)).toMatchObject({ status: "SUCCESS", action: null });
  });

  it("is not written by a process that no longer holds the lease", async () => {
    const [id] = await queueTasks(store, clock.now());
    const g = gate();
    let late: boolean | null = null;
    const family: Family = {
      name: "test",
      async run(task, { progress }) {
        await g.opened;
        late = await progress("LATE");
        return doneOutcome(task, "SUCCESS");
      },
      failed: (task) => doneOutcome(task, "FAILED"),
    };
    const runner = runnerFor(store, clock, "A", family);
    const done = runner.runOnce();
    await waitFor(
      '(await taskRow(store, id!)).lease_owner === "A"',
      async () => (await taskRow(store, id!)).lease_owner === "A",
    );
    // Another process took the task over (as after an expired lease).
    await store.db.updateTable("tasks").set({ lease_owner: "B" }).where("id", "=", id!).execute();
    g.open();
    await done;
    expect(late).toBe(false);
    expect((await taskRow(store, id!)).status).toBe("PENDING");
  });
});
