import { createRequire } from "node:module";
import { Queue, Worker } from "bullmq";
import PgBoss from "pg-boss";
import { Agent, request } from "undici";
import { signatureHeaders } from "../../src/delivery/index.js";
import { newMessageId, newTaskId, randomToken } from "../../src/lib/ids.js";
import { callbackBody } from "./delivery-sides.js";
import type { BenchHookline } from "./hookline.js";
import { inParallel, monoMs, sleep } from "./stats.js";

/** The keys `signatureHeaders` signs with (the delivery folder exports the function, not its type). */
type SigningKeys = Parameters<typeof signatureHeaders>[0];

/** One callback as a peer queue carries it: what Hookline's outbox row holds (id, task, body as sent). */
export interface PeerJob {
  readonly messageId: string;
  readonly taskId: string;
  readonly body: string;
}

/** `n` callbacks with the body Hookline's WAV family writes (a real signed download link), ready to enqueue. */
export function peerJobs(h: BenchHookline, n: number): PeerJob[] {
  return Array.from({ length: n }, () => {
    const taskId = newTaskId();
    return { messageId: newMessageId(), taskId, body: JSON.stringify(callbackBody(h, taskId)) };
  });
}

/** The signing keys of the bench key, as the sender reads them. */
export const benchKeys = (h: BenchHookline): SigningKeys => ({
  current: h.key.webhookKey,
  previous: null,
  hmacEnabled: true,
});

/**
 * What each peer's job handler does, and all it does: sign the body afresh (the same headers as Hookline's
 * sender, through the same function) and POST it over one shared keep-alive Agent, as the raw baseline does.
 * Returns the status, so that the handler can fail the job the way its queue expects.
 */
export async function signedPost(
  agent: Agent,
  url: string,
  keys: SigningKeys,
  job: PeerJob,
): Promise<number> {
  const signed = signatureHeaders(keys, job.messageId, job.taskId, job.body, Math.floor(Date.now() / 1000));
  const res = await request(url, {
    dispatcher: agent,
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "Hookline-Webhooks/0.1", ...signed },
    body: job.body,
  });
  await res.body.dump();
  return res.statusCode;
}

/** What a peer's drain measured: from its worker's start until its own bookkeeping says every job is done. */
export interface PeerResult {
  readonly seconds: number;
  /** Jobs that failed an attempt (a non-2xx or a network error); 0 against the always-200 receiver. */
  readonly failedAttempts: number;
}

/**
 * Whether BullMQ can open a Redis connection here: BullMQ 6 made its Redis driver, `ioredis`, an optional peer
 * dependency that it `require`s on first use, from its own folder (or NODE_PATH).
 */
export function bullmqDriverPresent(): boolean {
  try {
    const fromBullmq = createRequire(createRequire(import.meta.url).resolve("bullmq"));
    fromBullmq.resolve("ioredis");
    return true;
  } catch {
    return false;
  }
}

const ok = (status: number): boolean => status >= 200 && status <= 299;

/**
 * BullMQ: the jobs added with `addBulk` (untimed; 4 attempts, exponential backoff from 1 s, completed jobs kept
 * as BullMQ keeps them by default), then a Worker with `concurrency` whose processor throws on a non-2xx. Timed
 * from `worker.run()` to the last `completed` event (emitted once the job was moved to completed in Redis).
 */
export async function bullmqDrain(opts: {
  redisPort: number;
  url: string;
  keys: SigningKeys;
  jobs: readonly PeerJob[];
  concurrency: number;
}): Promise<PeerResult> {
  // BullMQ wants Workers' connections to retry forever rather than fail a blocking command.
  const connection = { host: "127.0.0.1", port: opts.redisPort, maxRetriesPerRequest: null };
  const name = `callbacks-${randomToken(6)}`;
  const queue = new Queue<PeerJob>(name, { connection });
  const jobOpts = { attempts: 4, backoff: { type: "exponential", delay: 1_000 } };
  for (let i = 0; i < opts.jobs.length; i += 1_000) {
    await queue.addBulk(
      opts.jobs.slice(i, i + 1_000).map((data) => ({ name: "callback", data, opts: jobOpts })),
    );
  }
  const agent = new Agent({ connections: 128 });
  const worker = new Worker<PeerJob>(
    name,
    async (job) => {
      const status = await signedPost(agent, opts.url, opts.keys, job.data);
      if (!ok(status)) throw new Error(`receiver answered ${status}`);
    },
    { connection, concurrency: opts.concurrency, autorun: false },
  );
  let completed = 0;
  let failedAttempts = 0;
  const done = new Promise<void>((resolve) => {
    worker.on("completed", () => {
      completed++;
      if (completed === opts.jobs.length) resolve();
    });
  });
  worker.on("failed", () => {
    failedAttempts++;
  });
  await worker.waitUntilReady();
  const t0 = monoMs();
  const running = worker.run();
  await done;
  const seconds = (monoMs() - t0) / 1000;
  await worker.close();
  await running;
  await queue.obliterate({ force: true });
  await queue.close();
  await agent.close();
  return { seconds, failedAttempts };
}

/** How the pg-boss side fetches: `workers` × `work({ batchSize })`, `inFlight` POSTs per worker at a time. */
export interface PgBossShape {
  readonly workers: number;
  readonly batchSize: number;
  readonly inFlight: number;
}

/** A started pg-boss on a database of its own (its schema is installed by `start`). */
export async function startPgBoss(connectionString: string): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString });
  boss.on("error", (error) => process.stderr.write(`[bench] pg-boss: ${error.message}\n`));
  await boss.start();
  return boss;
}

/**
 * pg-boss 10: the jobs inserted with `insert` (untimed; retryLimit 3 with backoff from 1 s), then
 * `shape.workers` calls of `work` with `shape.batchSize`. pg-boss 10 has no per-job concurrency (v9's
 * teamSize/teamConcurrency are gone): a worker fetches a batch, hands the whole batch to the handler, and
 * completes every job of it when the handler resolves (fails every one when it throws). So the handler POSTs
 * the batch `inFlight` at a time and fails the jobs whose POST failed with `fail` (pg-boss's `complete` then
 * skips them, as it completes only active jobs): per-job retry bookkeeping, as BullMQ's and Hookline's. Timed
 * from the first `work` call until no job is left before the completed state (`getQueueSize`, polled).
 */
export async function pgBossDrain(opts: {
  boss: PgBoss;
  url: string;
  keys: SigningKeys;
  jobs: readonly PeerJob[];
  shape: PgBossShape;
}): Promise<PeerResult> {
  const { boss, shape } = opts;
  const name = `callbacks_${randomToken(6).toLowerCase()}`;
  await boss.createQueue(name);
  for (let i = 0; i < opts.jobs.length; i += 1_000) {
    await boss.insert(
      opts.jobs
        .slice(i, i + 1_000)
        .map((data) => ({ name, data, retryLimit: 3, retryDelay: 1, retryBackoff: true })),
    );
  }
  const agent = new Agent({ connections: 128 });
  let failedAttempts = 0;
  const handler = async (batch: PgBoss.Job<PeerJob>[]) => {
    const failed: string[] = [];
    await inParallel(batch.length, shape.inFlight, async (i) => {
      const job = batch[i]!;
      const status = await signedPost(agent, opts.url, opts.keys, job.data).catch(() => 0);
      if (!ok(status)) failed.push(job.id);
    });
    failedAttempts += failed.length;
    if (failed.length > 0) await boss.fail(name, failed);
  };
  const t0 = monoMs();
  // The shortest polling interval pg-boss allows: an idle worker waits this long before fetching again.
  const workOpts = { batchSize: shape.batchSize, pollingIntervalSeconds: 0.5 };
  for (let w = 0; w < shape.workers; w++) await boss.work<PeerJob>(name, workOpts, handler);
  while ((await boss.getQueueSize(name, { before: "completed" })) > 0) await sleep(20);
  const seconds = (monoMs() - t0) / 1000;
  await boss.offWork(name);
  // The queue stays (pg-boss refuses to delete one whose last completions are still being written); each
  // drain has a queue, and so a partition, of its own, and the database is dropped at the end.
  await agent.close();
  return { seconds, failedAttempts };
}
