import { randomBytes } from "node:crypto";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import type { Store } from "../../src/store/index.js";
import {
  createRunner,
  type Family,
  insertTask,
  Notifier,
  type Outcome,
  type Runner,
  type Task,
} from "../../src/tasks/index.js";

/** Shared pieces of the engine suites: a clock at a fixed instant, tasks, and small families. */
export const T0 = Date.parse("2026-03-01T12:00:00Z");
export const LEASE_MS = 30_000;
export const CALLBACK_URL = "http://127.0.0.1:9/cb";

export const newClock = () => new ManualClock(T0);

/** Inserts `n` queued tasks of `family` for `ownerId` (with a callback URL) and returns their ids. */
export async function queueTasks(
  store: Store,
  now: number,
  n = 1,
  family = "test",
  ownerId = "key_test",
): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomBytes(16).toString("hex"));
  await store.transact(async (trx) => {
    for (const id of ids) {
      await insertTask(
        trx,
        {
          id,
          ownerId,
          family,
          status: "PENDING",
          action: "go",
          input: {},
          callbackUrl: CALLBACK_URL,
        },
        now,
      );
    }
  });
  return ids;
}

export async function taskRow(store: Store, id: string) {
  return store.db.selectFrom("tasks").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

export async function messagesOf(store: Store, id: string) {
  return store.db.selectFrom("messages").selectAll().where("task_id", "=", id).execute();
}

/** A finished outcome with a callback, the shape a family returns. */
export function doneOutcome(task: Pick<Task, "id">, status = "SUCCESS", by = "?"): Outcome {
  return {
    status,
    result: { by },
    done: true,
    callback: { event: "test.done", body: { taskId: task.id, status, by }, signTaskId: task.id },
  };
}

/** A promise the test opens by hand: stands in for work that hangs until told otherwise. */
export function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Resolves when `signal` aborts, rejecting with its reason (what a well-behaved action does). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** A family whose runs are recorded; `work` decides what each run does. */
export function testFamily(
  by: string,
  work: (task: Task, signal: AbortSignal) => Promise<void> = async () => undefined,
) {
  const runs: string[] = [];
  const failures: { id: string; message: string }[] = [];
  const family: Family = {
    name: "test",
    async run(task, { signal }) {
      runs.push(task.id);
      await work(task, signal);
      return doneOutcome(task, "SUCCESS", by);
    },
    failed(task, error) {
      failures.push({ id: task.id, message: error.message });
      return { ...doneOutcome(task, "FAILED", by), errorCode: 500, errorMessage: error.message };
    },
  };
  return { family, runs, failures };
}

/** A runner on `store` with its own owner name; poll interval short so start/stop stay quick. */
export function runnerFor(
  store: Store,
  clock: ManualClock,
  owner: string,
  family: Family,
  extra: { maxRuns?: number; leaseMs?: number; concurrency?: number } = {},
): Runner {
  return createRunner({
    store,
    families: new Map([[family.name, family]]),
    owner,
    concurrency: extra.concurrency ?? 4,
    leaseMs: extra.leaseMs ?? LEASE_MS,
    pollMs: 20,
    clock,
    log: silentLogger,
    tasks: new Notifier(),
    messages: new Notifier(),
    ...(extra.maxRuns === undefined ? {} : { maxRuns: extra.maxRuns }),
  });
}
