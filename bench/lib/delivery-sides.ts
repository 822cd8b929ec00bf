import { senderOptions } from "../../src/app/index.js";
import { createSender, type Sender } from "../../src/delivery/index.js";
import { newTaskId } from "../../src/lib/ids.js";
import { silentLogger } from "../../src/lib/logger.js";
import { enqueueMessage } from "../../src/outbox/index.js";
import type { Tx } from "../../src/store/index.js";
import { insertTask } from "../../src/tasks/index.js";
import type { BenchHookline } from "./hookline.js";
import type { ReceiverProcess } from "./receiver.js";
import { monoMs, sleep } from "./stats.js";

/** The sender exactly as `startHookline` builds it from the configuration. */
export function benchSender(h: BenchHookline): Sender {
  return createSender({ ...senderOptions(h.services, h.families, h.owner), log: silentLogger });
}

/** A WAV completion callback body as the family writes it, with a real signed URL. */
export function callbackBody(h: BenchHookline, taskId: string): Record<string, unknown> {
  const url = h.services.signer.sign(
    "file_BenchBenchBenchBench00",
    "My Song.wav",
    Date.now() + 15 * 86_400_000,
  );
  return {
    code: 200,
    msg: "success",
    taskId,
    data: { task_id: taskId, taskId, audioWavUrl: url, audio_wav_url: url },
  };
}

async function insertWavTask(trx: Tx, h: BenchHookline, id: string, done: boolean, now: number) {
  await insertTask(
    trx,
    {
      id,
      ownerId: h.key.id,
      family: "wav",
      status: done ? "SUCCESS" : "PENDING",
      // Not "convert": no runner must pick these up, they only stand for tasks whose work is done.
      action: null,
      input: { audioId: "00000000-0000-4000-8000-000000000000", musicTaskId: "bench" },
      callbackUrl: null,
    },
    now,
  );
}

/**
 * `n` tasks completed in a burst, each with its callback message, in transactions of 500 (setup, untimed).
 * Returns each message's enqueue time (CLOCK_MONOTONIC ms, when its transaction committed).
 */
export async function completedBurst(h: BenchHookline, url: string, n: number): Promise<Map<string, number>> {
  const { store, clock } = h.services;
  const enqueued = new Map<string, number>();
  for (let done = 0; done < n; ) {
    const batch = Math.min(500, n - done);
    const ids = await store.transact(async (trx) => {
      const out: string[] = [];
      for (let i = 0; i < batch; i++) {
        const id = newTaskId();
        await insertWavTask(trx, h, id, true, clock.now());
        const spec = { event: "wav.completed", body: callbackBody(h, id), signTaskId: id };
        out.push(await enqueueMessage(trx, { id, ownerId: h.key.id }, url, spec, clock.now()));
      }
      return out;
    });
    const t = monoMs();
    for (const id of ids) enqueued.set(id, t);
    done += batch;
  }
  return enqueued;
}

/** At most this many completion transactions at once (as from several runner slots; leaves room in PostgreSQL's pool of 10). */
const MAX_CONCURRENT_COMPLETIONS = 8;

/** What a timed drain or offered-load phase measured. */
export interface PhaseResult {
  readonly seconds: number;
  /** message id → enqueue time (CLOCK_MONOTONIC ms). */
  readonly enqueued: Map<string, number>;
  /** How far the completions fell behind their schedule (offered load only), ms. */
  readonly scheduleLagMs: number[];
  /** From the first completion to the last one's commit (offered load only), s. */
  readonly offerSeconds: number;
}

/** Starts the sender on a prepared backlog and times it until every message was answered and recorded. */
export async function drain(h: BenchHookline, receiver: ReceiverProcess, enqueued: Map<string, number>) {
  const sender = benchSender(h);
  const reached = receiver.reached(enqueued.size);
  const t0 = monoMs();
  sender.start();
  await reached;
  await sender.stop(); // waits for the attempt records of the last POSTs to commit
  return {
    seconds: (monoMs() - t0) / 1000,
    enqueued,
    scheduleLagMs: [],
    offerSeconds: 0,
  } satisfies PhaseResult;
}

/**
 * Offered load: tasks complete at `rate` per second for `seconds`, each in its own transaction (task row to
 * SUCCESS + outbox message, as `completeTask` does), and the sender is woken as the runner wakes it.
 */
export async function offeredLoad(
  h: BenchHookline,
  receiver: ReceiverProcess,
  url: string,
  rate: number,
  seconds: number,
): Promise<PhaseResult> {
  const { store, clock, messages } = h.services;
  const total = Math.round(rate * seconds);
  const taskIds = Array.from({ length: total }, () => newTaskId());
  for (let i = 0; i < total; i += 500) {
    const slice = taskIds.slice(i, i + 500);
    await store.transact(async (trx) => {
      for (const id of slice) await insertWavTask(trx, h, id, false, clock.now());
    });
  }
  const sender = benchSender(h);
  sender.start();
  const reached = receiver.reached(total);
  const enqueued = new Map<string, number>();
  const scheduleLagMs: number[] = [];
  const complete = async (i: number, due: number) => {
    const id = taskIds[i]!;
    const messageId = await store.transact(async (trx) => {
      const now = clock.now();
      await trx
        .updateTable("tasks")
        .set({ status: "SUCCESS", action: null, updated_at: now, completed_at: now })
        .where("id", "=", id)
        .execute();
      const spec = { event: "wav.completed", body: callbackBody(h, id), signTaskId: id };
      return enqueueMessage(trx, { id, ownerId: h.key.id }, url, spec, now);
    });
    const t = monoMs();
    enqueued.set(messageId, t);
    scheduleLagMs.push(t - due);
    messages.wake(); // as the runner does after a completion (in-process only)
  };
  // Completions come from several runner slots at once: each starts on time, whether or not earlier ones have
  // committed (a database with a commit latency, PostgreSQL, needs that to be offered the full rate at all).
  const inFlight = new Set<Promise<void>>();
  const t0 = monoMs();
  for (let sent = 0; sent < total; ) {
    const due = Math.min(total, Math.floor(((monoMs() - t0) * rate) / 1000) + 1);
    for (; sent < due && inFlight.size < MAX_CONCURRENT_COMPLETIONS; sent++) {
      const p: Promise<void> = complete(sent, t0 + (sent * 1000) / rate).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await sleep(1);
  }
  await Promise.all(inFlight);
  const offerSeconds = (monoMs() - t0) / 1000;
  await reached;
  await sender.stop();
  return { seconds: (monoMs() - t0) / 1000, enqueued, scheduleLagMs, offerSeconds };
}

/** Latency from enqueue to the receiver's answer, per message received (ms). */
export function latencies(enqueued: Map<string, number>, received: { ids: string[]; times: number[] }) {
  const out: number[] = [];
  received.ids.forEach((id, i) => {
    const t = enqueued.get(id);
    if (t !== undefined) out.push(received.times[i]! - t);
  });
  return out;
}
