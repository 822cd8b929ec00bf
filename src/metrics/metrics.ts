import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Clock } from "../lib/clock.js";
import { messageTime } from "../lib/ids.js";
import type { Logger } from "../lib/logger.js";
import type { Refusal } from "../net/index.js";
import type { AttemptRecord } from "../outbox/index.js";
import type { Store } from "../store/index.js";
import type { RunnerObserver } from "../tasks/index.js";
import { oldestDue, outboxDepth, taskDepth } from "./depth.js";

/** What a status class of an attempt is: its HTTP class, or why no status came. */
export type AttemptClass = "1xx" | "2xx" | "3xx" | "4xx" | "5xx" | "timeout" | "network" | "refused";

/**
 * One running Hookline's metrics: its own prom-client registry (never the global one: tests and benchmarks run
 * several Hooklines in one process), the instruments the engine reports to, and the text a scrape answers.
 */
export interface Metrics {
  readonly registry: Registry;
  /** The runner's observer: run time by family and outcome, lease takeovers of tasks. */
  readonly runner: RunnerObserver;
  /** The sender's observer, told of each attempt as it ends. */
  attempted(record: AttemptRecord): void;
  /** The outbound guard refused a request. */
  refused(reason: Refusal): void;
  /** A blob store operation failed. */
  storageFailed(operation: string): void;
  /** The Prometheus text exposition of everything, with the database's figures read now. */
  render(): Promise<string>;
  /** `text/plain; version=0.0.4; charset=utf-8` */
  readonly contentType: string;
}

/** Shown in the HELP of every figure read from the database, which all processes share. */
const SHARED =
  "Read from the shared database at scrape time: every process reports the same value (use max by).";

/** Attempts per round: 1 … the default schedule's 4 and past it. */
const ATTEMPT_BUCKETS = [1, 2, 3, 4, 5, 6, 8];
/** From a conversion of seconds to a voice check of minutes. */
const RUN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** From an instant delivery to one after the whole default retry schedule (21 minutes). */
const DELIVERY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 120, 300, 600, 1200, 1800, 3600];

let processMetrics: Registry | null = null;

/**
 * The process's own figures (CPU, memory, event loop lag, descriptors) in one registry per process: collecting
 * them installs a GC observer and an event-loop monitor that are never removed, so each Hookline started in the
 * same process (tests, benchmarks) must not add its own.
 */
function processRegistry(): Registry {
  if (processMetrics === null) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, prefix: "hookline_" });
  }
  return processMetrics;
}

/** The class of an attempt's answer. */
export function attemptClass(record: Pick<AttemptRecord, "status" | "errorClass">): AttemptClass {
  if (record.status !== null) {
    const c = Math.floor(record.status / 100);
    return c <= 1 ? "1xx" : c === 2 ? "2xx" : c === 3 ? "3xx" : c === 4 ? "4xx" : "5xx";
  }
  if (record.errorClass === "timeout") return "timeout";
  if (record.errorClass === "refused_target") return "refused";
  return "network";
}

/**
 * Creates the metrics of one Hookline, reading queue depths from `store` when scraped.
 *
 * @example
 * const metrics = createMetrics({ store, clock, log });
 * reply.type(metrics.contentType).send(await metrics.render());
 */
export function createMetrics(deps: { store: Store; clock: Clock; log: Logger }): Metrics {
  const { store, clock, log } = deps;
  const registry = new Registry();
  const registers = [registry];

  const queryErrors = new Counter({
    name: "hookline_metrics_query_errors_total",
    help: "Scrapes whose database figures could not be read (those figures are then missing from the scrape).",
    registers,
  });
  const taskGauge = new Gauge({
    name: "hookline_tasks_queued",
    help: `Queued tasks by family and state (due, scheduled, running, stalled: lease ran out, not taken over yet). ${SHARED}`,
    labelNames: ["family", "state"] as const,
    registers,
  });
  const outboxGauge = new Gauge({
    name: "hookline_outbox_messages",
    help: `Callback messages by state (due, scheduled, in_flight, stalled, delivered, failed). ${SHARED}`,
    labelNames: ["state"] as const,
    registers,
  });
  const oldestGauge = new Gauge({
    name: "hookline_oldest_due_seconds",
    help: `Age of the oldest due work no one holds a lease on (queue: tasks or messages); 0 when none. ${SHARED}`,
    labelNames: ["queue"] as const,
    registers,
  });
  /** Reads the database's figures into the gauges (a failed read leaves them empty and counts). */
  const readDatabase = async (): Promise<void> => {
    const now = clock.now();
    try {
      const [tasks, outbox, oldest] = await Promise.all([
        taskDepth(store.db, now),
        outboxDepth(store.db, now),
        oldestDue(store.db, now),
      ]);
      taskGauge.reset();
      outboxGauge.reset();
      oldestGauge.reset();
      for (const t of tasks) taskGauge.set({ family: t.family, state: t.state }, t.count);
      for (const o of outbox) outboxGauge.set({ state: o.state }, o.count);
      oldestGauge.set({ queue: "tasks" }, oldest.tasks / 1000);
      oldestGauge.set({ queue: "messages" }, oldest.messages / 1000);
    } catch (error) {
      taskGauge.reset();
      outboxGauge.reset();
      oldestGauge.reset();
      queryErrors.inc();
      log.warn({ err: error }, "metrics: reading queue depths failed");
    }
  };

  const runSeconds = new Histogram({
    name: "hookline_task_run_seconds",
    help: "Time a task's action ran in this process, by family and outcome (succeeded, failed, lost: lease lost).",
    labelNames: ["family", "outcome"] as const,
    buckets: RUN_BUCKETS,
    registers,
  });
  const takeovers = new Counter({
    name: "hookline_lease_takeovers_total",
    help: "Tasks this process claimed whose previous claim had neither ended nor been given back: its lease ran out.",
    labelNames: ["queue"] as const,
    registers,
  });
  const attempts = new Counter({
    name: "hookline_callback_attempts_total",
    help: "Callback attempts this process made, by class of answer (2xx … 5xx, timeout, network, refused).",
    labelNames: ["class"] as const,
    registers,
  });
  const perDelivery = new Histogram({
    name: "hookline_callback_attempts_per_delivery",
    help: "Attempts a callback round took, observed when it ended delivered or failed (given up or final).",
    labelNames: ["outcome"] as const,
    buckets: ATTEMPT_BUCKETS,
    registers,
  });
  const firstDelivery = new Histogram({
    name: "hookline_callback_delivery_seconds",
    help: "From a task's completion (its callback queued) to the first 2xx of that callback, retries included.",
    buckets: DELIVERY_BUCKETS,
    registers,
  });
  const refusals = new Counter({
    name: "hookline_outbound_refusals_total",
    help: "Requests the outbound guard refused, by reason (address, scheme, unresolved, redirects, too_large, encoding).",
    labelNames: ["reason"] as const,
    registers,
  });
  const storageErrors = new Counter({
    name: "hookline_storage_errors_total",
    help: "Blob store operations that failed, by operation.",
    labelNames: ["operation"] as const,
    registers,
  });
  // Present from the first scrape, so that rate() and absent() see the series before the first event.
  takeovers.inc({ queue: "tasks" }, 0);
  for (const c of ["2xx", "3xx", "4xx", "5xx", "timeout", "network", "refused"])
    attempts.inc({ class: c }, 0);

  return {
    registry,
    contentType: registry.contentType,
    runner: {
      takenOver: () => takeovers.inc({ queue: "tasks" }),
      finished: (task, outcome, seconds) => runSeconds.observe({ family: task.family, outcome }, seconds),
    },
    attempted(record) {
      attempts.inc({ class: attemptClass(record) });
      if (record.outcome === "retry") return;
      perDelivery.observe({ outcome: record.outcome }, record.message.round_attempts + 1);
      // The first round only: a redelivery (or a simulated duplicate) is not the task's first delivery.
      if (record.outcome === "delivered" && record.message.round_trigger === "auto") {
        // A message is queued by the completion's transaction and its id carries that moment (ids.ts), so the
        // claim need not return one more column.
        const queuedAt = messageTime(record.message.id);
        if (queuedAt !== null) firstDelivery.observe(Math.max(0, record.endedAt - queuedAt) / 1000);
      }
    },
    refused: (reason) => refusals.inc({ reason }),
    storageFailed: (operation) => storageErrors.inc({ operation }),
    async render() {
      await readDatabase();
      return (await registry.metrics()) + (await processRegistry().metrics());
    },
  };
}
