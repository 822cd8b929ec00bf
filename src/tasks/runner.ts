import { performance } from "node:perf_hooks";
import type { Clock } from "../lib/clock.js";
import { toError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import type { Store } from "../store/index.js";
import type { Family, Outcome, Task } from "./model.js";
import type { Notifier } from "./notifier.js";
import { claimTasks, completeTask, releaseTasks, renewTaskLeases, setRunningStatus } from "./queue.js";

/**
 * What the runner and the callback sender share: each claims work by lease for `owner`, runs up to `concurrency`
 * items, renews their leases and polls when idle.
 */
export interface LeaseLoopOptions {
  readonly store: Store;
  readonly families: ReadonlyMap<string, Family>;
  /** Unique per process: the lease owner name. */
  readonly owner: string;
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly clock: Clock;
  readonly log: Logger;
  /** Poked when a callback was enqueued. */
  readonly messages: Notifier;
}

export interface RunnerOptions extends LeaseLoopOptions {
  /** Poked when work is queued (by the API) and when a slot frees up. */
  readonly tasks: Notifier;
  /** A task claimed more often than this (its worker died each time) is failed instead of tried again. */
  readonly maxRuns?: number;
  /** Told what the runner did (monitoring, src/metrics); it changes nothing the runner does. */
  readonly observer?: RunnerObserver;
}

/** What a runner reports as it works. */
export interface RunnerObserver {
  /**
   * A claim of a task whose previous claim of the same action neither completed nor was given back (its `runs`
   * was already 1 or more): that lease ran out, and this runner takes the task over.
   */
  takenOver?(task: Task): void;
  /** An action ended; `lost`: the lease had passed to another worker before the outcome could be written. */
  finished?(task: Task, outcome: "succeeded" | "failed" | "lost", seconds: number): void;
}

export interface Runner {
  start(): void;
  /** Stops claiming; waits up to graceMs for running tasks, then aborts them and gives their leases back. */
  stop(graceMs?: number): Promise<void>;
  /** Claims once and runs what it got to the end (tests and benchmarks). Returns how many ran. */
  runOnce(): Promise<number>;
  readonly active: number;
}

/**
 * The task runner: claims due tasks by lease, runs each family's action with an AbortSignal, renews the
 * leases while work runs, and applies the outcome together with its callback.
 */
export function createRunner(opts: RunnerOptions): Runner {
  const { store, clock, log } = opts;
  const maxRuns = opts.maxRuns ?? 5;
  const active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let stopping = false;
  let loop: Promise<void> | null = null;
  let renewTimer: NodeJS.Timeout | null = null;

  async function execute(task: Task, controller: AbortController): Promise<void> {
    const family = opts.families.get(task.family);
    const taskLog = log.child({ taskId: task.id, family: task.family, action: task.action });
    let outcome: Outcome;
    const started = performance.now();
    if (!family) {
      // A process of another version may know this family (rolling upgrade): give it back, due in a minute.
      taskLog.error("no family registered for this task in this process; released for other workers");
      await releaseTasks(store.db, opts.owner, [task.id], clock.now() + 60_000);
      return;
    }
    if (task.runs > maxRuns) {
      outcome = family.failed(task, new Error(`abandoned after ${maxRuns} attempts to run it`));
    } else {
      try {
        outcome = await family.run(task, {
          signal: controller.signal,
          log: taskLog,
          progress: (status) => setRunningStatus(store.db, task.id, opts.owner, status, clock.now()),
        });
      } catch (thrown) {
        if (controller.signal.aborted && stopping) {
          await releaseTasks(store.db, opts.owner, [task.id]).catch(() => undefined);
          return;
        }
        const error = toError(thrown);
        taskLog.warn({ err: error }, "task action failed");
        outcome = family.failed(task, error);
      }
    }
    const applied = await completeTask(store, task, opts.owner, outcome, clock.now());
    // Families write "no error" as the wire does: absent, 0 (voice) or 200 (cover).
    const ok = outcome.errorCode == null || outcome.errorCode === 0 || outcome.errorCode === 200;
    const ended = !applied ? "lost" : ok ? "succeeded" : "failed";
    opts.observer?.finished?.(task, ended, (performance.now() - started) / 1000);
    if (!applied) taskLog.warn("lease lost before completion; another worker owns the task now");
    if (applied && outcome.callback && task.callbackUrl) opts.messages.wake();
  }

  function launch(task: Task): void {
    // Our own lease ran out (renewals stalled) and we claimed the task again: it is still running here, and a
    // second copy would run it twice and lose track of the first in `active`.
    if (active.has(task.id)) return;
    const controller = new AbortController();
    const done = execute(task, controller)
      .catch((error: unknown) => log.error({ err: error, taskId: task.id }, "could not record task outcome"))
      .finally(() => {
        active.delete(task.id);
        opts.tasks.wake();
      });
    active.set(task.id, { controller, done });
  }

  async function claim(limit: number): Promise<Task[]> {
    try {
      const claimed = await claimTasks(store, opts.owner, limit, clock.now(), opts.leaseMs);
      for (const task of claimed) if (task.runs > 1) opts.observer?.takenOver?.(task);
      return claimed;
    } catch (error) {
      log.error({ err: error }, "claiming tasks failed");
      return [];
    }
  }

  async function run(): Promise<void> {
    while (!stopping) {
      const free = opts.concurrency - active.size;
      if (free > 0) {
        const claimed = await claim(free);
        for (const task of claimed) launch(task);
        if (claimed.length === free) continue;
      }
      await opts.tasks.wait(opts.pollMs);
    }
  }

  function renew(): void {
    const ids = [...active.keys()];
    renewTaskLeases(store.db, opts.owner, ids, clock.now() + opts.leaseMs).catch((error: unknown) =>
      log.error({ err: error }, "renewing leases failed"),
    );
  }

  return {
    get active() {
      return active.size;
    },
    start() {
      if (loop) return;
      stopping = false;
      renewTimer = setInterval(renew, Math.max(50, Math.floor(opts.leaseMs / 3)));
      loop = run();
    },
    async stop(graceMs = 10_000) {
      stopping = true;
      opts.tasks.wake();
      await loop;
      loop = null;
      const all = Promise.all([...active.values()].map((a) => a.done));
      // Cleared once the race is decided: a stopped runner leaves no timer behind for the rest of graceMs.
      let graceTimer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((r) => {
          graceTimer = setTimeout(() => r(true), graceMs);
        }),
      ]);
      clearTimeout(graceTimer);
      if (timedOut) {
        for (const a of active.values()) a.controller.abort(new Error("shutting down"));
        await all;
      }
      if (renewTimer) clearInterval(renewTimer);
      renewTimer = null;
    },
    async runOnce() {
      const claimed = await claim(opts.concurrency);
      for (const task of claimed) launch(task);
      await Promise.all([...active.values()].map((a) => a.done));
      return claimed.length;
    },
  };
}
