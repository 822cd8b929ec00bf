import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/lib/clock.js";
import type { Outcome } from "../../src/tasks/index.js";
import { claimTasks, completeTask } from "../../src/tasks/queue.js";
import { dialects, freshStore } from "../helpers/db.js";
import {
  CALLBACK_URL,
  doneOutcome,
  LEASE_MS,
  messagesOf,
  newClock,
  queueTasks,
  taskRow,
} from "./fixtures.js";

/** DESIGN invariant 1: a task's state change and its callback commit together, and only under the lease. */
describe.each(dialects())("completeTask on %s", (dialect) => {
  let store: Awaited<ReturnType<typeof freshStore>>;
  let clock: ManualClock;
  beforeEach(async () => {
    store = await freshStore(dialect);
    clock = newClock();
  });
  afterEach(async () => {
    await store.drop();
  });

  async function claimOne(owner: string) {
    const [task] = await claimTasks(store, owner, 1, clock.now(), LEASE_MS);
    if (!task) throw new Error(`${owner} claimed nothing`);
    return task;
  }

  it("applies the outcome and enqueues its callback together", async () => {
    const [id] = await queueTasks(store, clock.now());
    const task = await claimOne("A");
    expect(task.id).toBe(id);
    clock.advance(1_000);
    const outcome: Outcome = {
      ...doneOutcome(task, "SUCCESS", "A"),
      commit: async (trx) => {
        await trx.insertInto("settings").values({ key: "side-effect", value: task.id }).execute();
      },
    };
    expect(await completeTask(store, task, "A", outcome, clock.now())).toBe(true);
    const row = await taskRow(store, task.id);
    expect(row).toMatchObject({ status: "SUCCESS", action: null, lease_owner: null, lease_until: null });
    expect(row.completed_at).toBe(clock.now());
    expect(JSON.parse(row.result ?? "null")).toEqual({ by: "A" });
    const messages = await messagesOf(store, task.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      url: CALLBACK_URL,
      event: "test.done",
      state: "pending",
      sign_task_id: task.id,
      next_at: clock.now(),
    });
    expect(messages[0]!.id).toMatch(/^msg_[a-z2-7]{26}$/);
    expect(JSON.parse(messages[0]!.body)).toEqual({ taskId: task.id, status: "SUCCESS", by: "A" });
    expect(await store.db.selectFrom("settings").selectAll().execute()).toEqual([
      { key: "side-effect", value: task.id },
    ]);
  });

  it("rolls back the status change and the message when the outcome's commit throws", async () => {
    await queueTasks(store, clock.now());
    const task = await claimOne("A");
    const before = await taskRow(store, task.id);
    const outcome: Outcome = {
      ...doneOutcome(task),
      commit: async (trx) => {
        await trx.insertInto("settings").values({ key: "half-written", value: "x" }).execute();
        throw new Error("disk full");
      },
    };
    await expect(completeTask(store, task, "A", outcome, clock.now())).rejects.toThrow("disk full");
    // Nothing of the outcome is visible: the lease is still A's, the task still queued.
    expect(await taskRow(store, task.id)).toEqual(before);
    expect(before).toMatchObject({ status: "PENDING", action: "go", lease_owner: "A" });
    expect(await messagesOf(store, task.id)).toHaveLength(0);
    expect(await store.db.selectFrom("settings").selectAll().execute()).toHaveLength(0);
  });

  it("writes nothing for an owner whose lease was taken over by another owner", async () => {
    await queueTasks(store, clock.now());
    const byA = await claimOne("A");
    clock.advance(LEASE_MS + 1);
    const byB = await claimOne("B");
    expect(byB.id).toBe(byA.id);
    expect(byB.runs).toBe(2);

    let committed = false;
    const late: Outcome = {
      ...doneOutcome(byA, "SUCCESS", "A"),
      commit: async () => {
        committed = true;
      },
    };
    expect(await completeTask(store, byA, "A", late, clock.now())).toBe(false);
    expect(committed).toBe(false);
    expect(await taskRow(store, byA.id)).toMatchObject({ status: "PENDING", action: "go", lease_owner: "B" });
    expect(await messagesOf(store, byA.id)).toHaveLength(0);

    expect(await completeTask(store, byB, "B", doneOutcome(byB, "SUCCESS", "B"), clock.now())).toBe(true);
    const messages = await messagesOf(store, byA.id);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]!.body).by).toBe("B");
    // Once completed, the old owner still cannot overwrite the outcome.
    expect(await completeTask(store, byA, "A", late, clock.now())).toBe(false);
    expect(await messagesOf(store, byA.id)).toHaveLength(1);
  });

  it("enqueues no message for a task without a callback URL, or an outcome without a callback", async () => {
    const [id] = await queueTasks(store, clock.now());
    await store.db.updateTable("tasks").set({ callback_url: null }).where("id", "=", id!).execute();
    const task = await claimOne("A");
    expect(await completeTask(store, task, "A", doneOutcome(task), clock.now())).toBe(true);
    const [other] = await queueTasks(store, clock.now());
    const second = await claimOne("A");
    expect(second.id).toBe(other);
    const quiet: Outcome = { status: "WAITING", done: false };
    expect(await completeTask(store, second, "A", quiet, clock.now())).toBe(true);
    expect((await taskRow(store, second.id)).completed_at).toBeNull();
    expect(await store.db.selectFrom("messages").selectAll().execute()).toHaveLength(0);
  });
});
