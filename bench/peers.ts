/**
 * Callback drain against the peers a user would otherwise build on: N completed callbacks (10,000; `--quick`
 * 2,000) drained to one loopback receiver in another process, 64 POSTs in flight, the same body (a WAV
 * completion with a signed link) and the same signature headers (`signatureHeaders`) on every side:
 *
 * - raw undici POSTs, no bookkeeping at all: the ceiling each row is divided by (run at the start and at the
 *   end of every round; a round's baseline is the mean of the two, so that a side run late in a round on a
 *   busier machine is not set against an early, quieter raw rate);
 * - Hookline's real sender draining completed tasks (`completedBurst` + `drain`, as `delivery.ts`), on SQLite,
 *   and on PostgreSQL when HOOKLINE_BENCH_DATABASE_URL is set;
 * - BullMQ on a `redis-server` of the bench's own, once with an append-only file fsync'd every second (its jobs
 *   survive a crash, as committed rows do) and once with no persistence: jobs added with `addBulk`, then a
 *   Worker of concurrency 64 that signs, POSTs and throws on a non-2xx (4 attempts, exponential backoff);
 * - pg-boss 10 on a fresh PostgreSQL database (with HOOKLINE_BENCH_DATABASE_URL): jobs `insert`ed, then
 *   `work` whose handler signs, POSTs and fails the jobs whose POST failed (retryLimit 3), in two shapes: 64 jobs
 *   per fetch (4 workers × batchSize 16: 64 in flight, as the others), and batches of 1,000 per fetch with 16
 *   POSTs in flight in each of the 4 workers (the shape that gets pg-boss's best rate, see `PgBossShape`).
 *
 * Every side is timed from its worker's start until its own bookkeeping says every job is done (the sender's
 * attempt records committed; BullMQ's last `completed` event; no pg-boss job left before `completed`). Job
 * setup (enqueueing) is untimed. Rounds run the sides in alternating order; figures are medians over rounds,
 * a ratio the median of the per-round ratios. One discarded warm-up round of 1,000 jobs comes first.
 *
 *   HOOKLINE_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node dist/bench/peers.js [--quick] [--rounds N]
 */

import { signatureHeaders } from "../src/delivery/index.js";
import { newMessageId, newTaskId } from "../src/lib/ids.js";
import { BENCH_POSTGRES_URL, type BenchDatabase, freshBenchDatabase } from "./lib/db.js";
import { callbackBody, completedBurst, drain } from "./lib/delivery-sides.js";
import { type BenchHookline, openBenchHookline } from "./lib/hookline.js";
import {
  benchKeys,
  bullmqDrain,
  bullmqDriverPresent,
  type PgBossShape,
  peerJobs,
  pgBossDrain,
  startPgBoss,
} from "./lib/peer-sides.js";
import { rawPosts } from "./lib/raw-post.js";
import { startReceiverProcess } from "./lib/receiver.js";
import { type RedisProcess, startRedis } from "./lib/redis-server.js";
import { note, parseArgs, printTable, writeResults } from "./lib/report.js";
import { median, round } from "./lib/stats.js";

const args = parseArgs();
const total = args.quick ? 2_000 : 10_000;
const rounds = args.rounds ?? (args.quick ? 2 : 3);
const warmUp = 1_000;
const inFlight = 64;

/** One system under test: drains `n` callbacks to the receiver and says how long that took and what failed. */
interface Side {
  readonly name: string;
  run(n: number): Promise<{ seconds: number; failedAttempts: number }>;
}

const receiver = await startReceiverProcess();
const url = `${receiver.origin}/hook`;
const cleanups: (() => Promise<void>)[] = [async () => receiver.close()];

try {
  const sqlite = await openBenchHookline({ dialect: "sqlite" });
  cleanups.push(() => sqlite.close());
  const keys = benchKeys(sqlite);

  const hooklineSide = (name: string, h: BenchHookline): Side => ({
    name,
    async run(n) {
      const enqueued = await completedBurst(h, url, n);
      return { seconds: (await drain(h, receiver, enqueued)).seconds, failedAttempts: 0 };
    },
  });
  const bullmqSide = (name: string, redis: RedisProcess): Side => ({
    name,
    run: (n) =>
      bullmqDrain({ redisPort: redis.port, url, keys, jobs: peerJobs(sqlite, n), concurrency: inFlight }),
  });

  const sides: Side[] = [hooklineSide("Hookline, SQLite", sqlite)];
  if (BENCH_POSTGRES_URL) {
    const pg = await openBenchHookline({ dialect: "postgres" });
    cleanups.push(() => pg.close());
    sides.push(hooklineSide("Hookline, PostgreSQL", pg));
  }
  if (bullmqDriverPresent()) {
    const aof = await startRedis(true);
    cleanups.push(() => aof.stop());
    const mem = await startRedis(false);
    cleanups.push(() => mem.stop());
    sides.push(bullmqSide("BullMQ, Redis AOF everysec", aof), bullmqSide("BullMQ, Redis not persisted", mem));
  } else {
    note("BullMQ cannot load its Redis driver (ioredis, an optional peer of BullMQ 6): no BullMQ rows");
  }
  if (BENCH_POSTGRES_URL) {
    const db: BenchDatabase = await freshBenchDatabase("postgres", "");
    cleanups.push(() => db.drop());
    if (db.target.kind !== "postgres") throw new Error("expected a PostgreSQL database");
    const boss = await startPgBoss(db.target.url);
    cleanups.push(() => boss.stop({ graceful: false, wait: true }));
    const bossSide = (name: string, shape: PgBossShape): Side => ({
      name,
      run: (n) => pgBossDrain({ boss, url, keys, jobs: peerJobs(sqlite, n), shape }),
    });
    sides.push(
      bossSide("pg-boss 10, 4 × batchSize 16", { workers: 4, batchSize: 16, inFlight: 16 }),
      bossSide("pg-boss 10, 4 × batchSize 1000", { workers: 4, batchSize: 1_000, inFlight: 16 }),
    );
  } else {
    note("HOOKLINE_BENCH_DATABASE_URL is not set: no PostgreSQL rows (Hookline on PostgreSQL, pg-boss)");
  }

  /** The raw side sends what the others send: a body of the same size with freshly signed headers. */
  const sampleTask = newTaskId();
  const sampleBody = JSON.stringify(callbackBody(sqlite, sampleTask));
  const sampleHeaders = {
    "content-type": "application/json",
    "user-agent": "Hookline-Webhooks/0.1",
    ...signatureHeaders(keys, newMessageId(), sampleTask, sampleBody, Math.floor(Date.now() / 1000)),
  };
  const raw = (n: number) =>
    rawPosts({ url, total: n, concurrency: inFlight, body: sampleBody, headers: sampleHeaders });

  /** Runs a side and checks at the receiver that every callback arrived (retries may add more). */
  const measured = async (side: Side, n: number) => {
    await receiver.reset();
    const result = await side.run(n);
    const received = (await receiver.collect()).ids.length;
    if (received < n) note(`WARNING: ${side.name}: the receiver saw ${received} of ${n} callbacks`);
    return result;
  };

  note(`warming up: ${warmUp} callbacks on every side (discarded)`);
  await raw(warmUp);
  for (const side of sides) await measured(side, warmUp);

  const samples = sides.map(() => ({ seconds: [] as number[], ratios: [] as number[], failed: 0 }));
  const raws: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const first = await raw(total);
    const order = sides.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    const results = new Map<number, number>();
    for (const i of order) {
      note(`round ${r + 1}/${rounds}: ${sides[i]!.name}`);
      const res = await measured(sides[i]!, total);
      results.set(i, res.seconds);
      samples[i]!.seconds.push(res.seconds);
      samples[i]!.failed += res.failedAttempts;
    }
    const last = await raw(total);
    const baseline = (first.perSecond + last.perSecond) / 2;
    raws.push(baseline);
    for (const [i, seconds] of results) samples[i]!.ratios.push(total / seconds / baseline);
  }

  const rows = sides.map((side, i) => {
    const s = samples[i]!;
    const seconds = median(s.seconds);
    return {
      system: side.name,
      jobs: total,
      seconds: round(seconds, 3),
      perSecond: round(total / seconds, 0),
      ratio: round(median(s.ratios), 3),
      ratios: s.ratios.map((x) => round(x, 3)),
      failedAttempts: s.failed,
    };
  });
  const rawPerSecond = median(raws);
  printTable(
    `Drain of ${total} callbacks, ${inFlight} in flight, ${rounds} rounds (medians; ratio = rate / raw rate of the same round)`,
    [
      ["system", "jobs", "seconds", "jobs/s", "ratio to raw", "per round"],
      ["raw undici POSTs", total, round(total / rawPerSecond, 3), round(rawPerSecond, 0), 1, ""],
      ...rows.map((r) => [r.system, r.jobs, r.seconds, r.perSecond, r.ratio, r.ratios.join(" ")]),
    ],
  );
  writeResults("peers", {
    quick: args.quick,
    rounds,
    inFlight,
    rawPerRound: raws.map((x) => round(x, 0)),
    rawPerSecond: round(rawPerSecond, 0),
    results: rows,
  });
} finally {
  for (const cleanup of cleanups.reverse())
    await cleanup().catch((e: unknown) => note(`cleanup: ${String(e)}`));
}
