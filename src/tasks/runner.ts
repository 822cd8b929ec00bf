import { performance } from "node:perf_hooks";
import type { Clock } from "../lib/clock.js";
import { isTransient, toError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { isConnectionError, type Store } from "../store/index.js";
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

/** A task running in this process. */
interface Running {
  readonly controller: AbortController;
  done: Promise<void>;
  /** Until when this process is known to hold the lease: the claim's, then each successful renewal's. */
  heldUntil: number;
  /** Set when the lease was lost or given up: the run is aborted and its outcome not recorded. */
  lost: boolean;
  /** The run ended and its outcome is being recorded (which ends the lease: a renewal then misses it). */
  recording: boolean;
}

/**
 * The task runner: claims due tasks by lease, runs each family's action with an AbortSignal, renews the
 * leases while work runs, and applies the outcome together with its callback.
 */
export function createRunner(opts: RunnerOptions): Runner {
  const { store, clock, log } = opts;
  const maxRuns = opts.maxRuns ?? 5;
  const active = new Map<string, Running>();
  let stopping = false;
  let loop: Promise<void> | null = null;
  let renewTimer: NodeJS.Timeout | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let renewing = false;
  /** Whether the last renewal failed (so that an outage is logged once, not once per attempt). */
  let renewFailing = false;
  let claimFailing = false;
  const renewEveryMs = Math.max(50, Math.floor(opts.leaseMs / 3));
  // After a failed renewal, try again soon: a cut connection is replaced by the next query.
  const retryMs = Math.max(25, Math.min(1_000, Math.floor(opts.leaseMs / 6)));
  /**
   * A task whose lease has less than this left without a renewal is given up: its action is aborted (ffmpeg
   * killed) while the lease still stands, so that whoever claims it after the expiry does not run it alongside.
   */
  const giveUpMs = Math.ceil((opts.leaseMs * 5) / 12);

  async function execute(task: Task, entry: Running): Promise<void> {
    const { controller } = entry;
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
        if (controller.signal.aborted && (stopping || entry.lost)) {
          // Given back, not failed: the run was cut short by us, not by the task.
          await releaseTasks(store.db, opts.owner, [task.id]).catch(() => undefined);
          if (entry.lost) taskLog.warn("lease could not be kept; the task was aborted and given back");
          return;
        }
        if (isConnectionError(thrown)) {
          // The database went away under the run: that is no fault of the task. It is given back (or, with the
          // database still away, taken over when its lease runs out) and run again.
          taskLog.warn(
            { err: thrown },
            "the database connection was lost during the task; it will run again",
          );
          await releaseTasks(store.db, opts.owner, [task.id], clock.now() + 1_000).catch(() => undefined);
          return;
        }
        if (isTransient(thrown)) {
          // File storage (or another service a run needs) is away: no fault of the task either. It is given back
          // uncounted, like a run cut short by a lost database, and tried every 15 s until the service is back
          // (rather than failed after maxRuns: an outage of a few minutes must not fail every task queued in it).
          taskLog.warn({ err: thrown }, "a service the task needs is unavailable; it will run again in 15 s");
          await releaseTasks(store.db, opts.owner, [task.id], clock.now() + 15_000).catch(() => undefined);
          return;
        }
        const error = toError(thrown);
        taskLog.warn({ err: error }, "task action failed");
        outcome = family.failed(task, error);
      }
    }
    entry.recording = true;
    const applied = await record(task, outcome, entry);
    // Families write "no error" as the wire does: absent, 0 (voice) or 200 (cover).
    const ok = outcome.errorCode == null || outcome.errorCode === 0 || outcome.errorCode === 200;
    const ended = !applied ? "lost" : ok ? "succeeded" : "failed";
    opts.observer?.finished?.(task, ended, (performance.now() - started) / 1000);
    if (!applied) taskLog.warn("lease lost before completion; another worker owns the task now");
    if (applied && outcome.callback && task.callbackUrl) opts.messages.wake();
  }

  /**
   * Applies the outcome; a failure to reach the database (a cut connection, a restart) is retried with a growing
   * pause for as long as the lease is kept, so that finished work is not thrown away and run again. Safe to
   * repeat: completion is conditional on the lease, so a commit whose answer was lost is not applied twice.
   */
  async function record(task: Task, outcome: Outcome, entry: Running): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await completeTask(store, task, opts.owner, outcome, clock.now());
      } catch (error) {
        // Only a lost connection is worth waiting out; any other failure would fail again the same way.
        if (entry.lost || !isConnectionError(error)) throw error;
        if (attempt === 1)
          log.warn({ err: error, taskId: task.id }, "recording the outcome failed; retrying");
        await new Promise((r) => setTimeout(r, Math.min(2_000, 50 * 2 ** attempt)));
      }
    }
  }

  function launch(task: Task, heldUntil: number): void {
    // Our own lease ran out (renewals stalled) and we claimed the task again: it is still running here, and a
    // second copy would run it twice and lose track of the first in `active`.
    if (active.has(task.id)) return;
    const entry: Running = {
      controller: new AbortController(),
      done: Promise.resolve(),
      heldUntil,
      lost: false,
      recording: false,
    };
    const done = execute(task, entry)
      .catch((error: unknown) => log.error({ err: error, taskId: task.id }, "could not record task outcome"))
      .finally(() => {
        active.delete(task.id);
        opts.tasks.wake();
      });
    entry.done = done;
    active.set(task.id, entry);
  }

  /** Claims up to `limit` tasks; answers them with the time their leases run until. */
  async function claim(limit: number): Promise<{ tasks: Task[]; until: number }> {
    const now = clock.now();
    try {
      const tasks = await claimTasks(store, opts.owner, limit, now, opts.leaseMs);
      for (const task of tasks) if (task.runs > 1) opts.observer?.takenOver?.(task);
      if (claimFailing) log.info("claiming tasks works again");
      claimFailing = false;
      return { tasks, until: now + opts.leaseMs };
    } catch (error) {
      // Once per outage: every poll fails alike while the database is away.
      if (!claimFailing) log.error({ err: error }, "claiming tasks failed; retrying at every poll");
      claimFailing = true;
      return { tasks: [], until: now };
    }
  }

  async function run(): Promise<void> {
    while (!stopping) {
      const free = opts.concurrency - active.size;
      if (free > 0) {
        const { tasks, until } = await claim(free);
        for (const task of tasks) launch(task, until);
        if (tasks.length === free) continue;
      }
      await opts.tasks.wait(opts.pollMs);
    }
  }

  /** Aborts a running task whose lease is gone or about to go; it is given back, not completed. */
  function giveUp(id: string, entry: Running, why: string): void {
    if (entry.lost) return;
    entry.lost = true;
    log.warn({ taskId: id }, why);
    entry.controller.abort(new Error(why));
  }

  /** Gives up the tasks whose leases no renewal has extended in time (the database is unreachable). */
  function giveUpExpiring(): void {
    const now = clock.now();
    for (const [id, entry] of active) {
      if (entry.heldUntil - now < giveUpMs) giveUp(id, entry, "lease about to run out without a renewal");
    }
  }

  /**
   * Renews the leases of the running tasks. One renewal at a time: one that hangs (the database unreachable)
   * does not pile up others, and the expiry check still runs on every tick.
   */
  function renew(): void {
    // Only while renewals are in trouble: a healthy renewal extends the leases anyway (and a test's hand-held
    // clock that jumps ahead must not look like an outage).
    if (renewing || renewFailing) giveUpExpiring();
    if (renewing || active.size === 0) return;
    renewing = true;
    const ids = [...active.keys()];
    const until = clock.now() + opts.leaseMs;
    renewTaskLeases(store.db, opts.owner, ids, until)
      .then((kept) => {
        if (renewFailing) log.info("renewing leases works again");
        renewFailing = false;
        for (const id of ids) {
          const entry = active.get(id);
          if (!entry) continue;
          if (kept.has(id)) entry.heldUntil = Math.max(entry.heldUntil, until);
          else if (!entry.recording) giveUp(id, entry, "lease lost: another worker took the task over");
        }
      })
      .catch((error: unknown) => {
        if (!renewFailing) log.error({ err: error }, "renewing leases failed; retrying");
        renewFailing = true;
        if (!retryTimer && renewTimer) {
          retryTimer = setTimeout(() => {
            retryTimer = null;
            renew();
          }, retryMs);
        }
      })
      .finally(() => {
        renewing = false;
      });
  }

  return {
    get active() {
      return active.size;
    },
    start() {
      if (loop) return;
      stopping = false;
      renewTimer = setInterval(renew, renewEveryMs);
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
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
    },
    async runOnce() {
      const { tasks, until } = await claim(opts.concurrency);
      for (const task of tasks) launch(task, until);
      await Promise.all([...active.values()].map((a) => a.done));
      return tasks.length;
    },
  };
}
