/**
 * Callback delivery: the real sender (real store, real guarded outbound client, signatures, attempt records)
 * draining completed tasks to a loopback receiver in another process, next to the raw rate at which this
 * machine POSTs to that receiver with undici and no bookkeeping, measured in the same run; then the latency
 * from completion to the receiver's 2xx under an offered load of completions per second.
 * SQLite always; PostgreSQL too when HOOKLINE_BENCH_DATABASE_URL is set.
 *
 *   node dist/bench/delivery.js [--quick] [--rounds N]
 */
import { signatureHeaders } from "../src/delivery/index.js";
import { newTaskId } from "../src/lib/ids.js";
import { benchDialects } from "./lib/db.js";
import { callbackBody, completedBurst, drain, latencies, offeredLoad } from "./lib/delivery-sides.js";
import { type BenchHookline, openBenchHookline } from "./lib/hookline.js";
import { type RawResult, rawPosts } from "./lib/raw-post.js";
import { type ReceiverProcess, startReceiverProcess } from "./lib/receiver.js";
import { note, parseArgs, printTable, writeResults } from "./lib/report.js";
import { median, percentile, round } from "./lib/stats.js";

const args = parseArgs();
const drainCount = args.quick ? 2_000 : 10_000;
const rounds = args.rounds ?? (args.quick ? 1 : 3);
const offeredRate = 1_000;
const offeredSeconds = args.quick ? 2 : 5;

/** The raw baseline sends what the sender sends: the same body size and the same headers. */
function sampleRequest(h: BenchHookline) {
  const taskId = newTaskId();
  const body = JSON.stringify(callbackBody(h, taskId));
  const keys = { current: h.key.webhookKey, previous: null, hmacEnabled: true };
  const signed = signatureHeaders(
    keys,
    "msg_benchbenchbenchbenchbench",
    taskId,
    body,
    Math.floor(Date.now() / 1000),
  );
  return {
    body,
    headers: { "content-type": "application/json", "user-agent": "Hookline-Webhooks/0.1", ...signed },
  };
}

async function undelivered(h: BenchHookline): Promise<number> {
  const row = await h.services.store.db
    .selectFrom("messages")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("state", "!=", "delivered")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function runDialect(dialect: "sqlite" | "postgres", receiver: ReceiverProcess) {
  const h = await openBenchHookline({ dialect });
  try {
    const url = `${receiver.origin}/hook`;
    const concurrency = h.services.config.delivery.concurrency;
    const sample = sampleRequest(h);
    const raw = () => rawPosts({ url, total: drainCount, concurrency, ...sample });
    const hookline = async () => {
      await receiver.reset();
      const enqueued = await completedBurst(h, url, drainCount);
      const phase = await drain(h, receiver, enqueued);
      return { ...phase, latencies: latencies(enqueued, await receiver.collect()) };
    };
    // A discarded full-size round of each side: with 500 messages the JIT (of this process and of the receiver)
    // was still warming up in round 1, whose raw rate came out ~30 % low and its ratio high.
    note(`${dialect}: warming up`);
    await rawPosts({ url, total: drainCount, concurrency, ...sample });
    await receiver.reset();
    await drain(h, receiver, await completedBurst(h, url, drainCount));

    const raws: RawResult[] = [];
    const drains = [];
    for (let r = 0; r < rounds; r++) {
      note(`${dialect}: drain round ${r + 1}/${rounds}`);
      if (r % 2 === 0) raws.push(await raw());
      drains.push(await hookline());
      if (r % 2 === 1) raws.push(await raw());
    }
    const offered = [];
    for (let r = 0; r < rounds; r++) {
      note(`${dialect}: offered load round ${r + 1}/${rounds} (${offeredRate}/s for ${offeredSeconds} s)`);
      await receiver.reset();
      const phase = await offeredLoad(h, receiver, url, offeredRate, offeredSeconds);
      offered.push({ ...phase, latencies: latencies(phase.enqueued, await receiver.collect()) });
    }
    const left = await undelivered(h);
    if (left !== 0) note(`WARNING: ${left} messages were not delivered`);

    const ratios = drains.map((d, i) => drainCount / d.seconds / raws[i]!.perSecond);
    return {
      dialect,
      drain: {
        messages: drainCount,
        concurrency,
        rawPerSecond: round(median(raws.map((r) => r.perSecond)), 0),
        hooklinePerSecond: round(median(drains.map((d) => drainCount / d.seconds)), 0),
        ratio: round(median(ratios), 3),
        ratios: ratios.map((x) => round(x, 3)),
        target: 0.5,
        hooklineP50Ms: round(median(drains.map((d) => percentile(d.latencies, 50))), 1),
        hooklineP99Ms: round(median(drains.map((d) => percentile(d.latencies, 99))), 1),
        rawP50Ms: round(median(raws.map((r) => percentile(r.latencies, 50))), 2),
        rawP99Ms: round(median(raws.map((r) => percentile(r.latencies, 99))), 2),
      },
      offered: {
        rate: offeredRate,
        seconds: offeredSeconds,
        achievedPerSecond: round(median(offered.map((o) => o.enqueued.size / o.offerSeconds)), 0),
        p50Ms: round(median(offered.map((o) => percentile(o.latencies, 50))), 2),
        p99Ms: round(median(offered.map((o) => percentile(o.latencies, 99))), 2),
        maxMs: round(median(offered.map((o) => Math.max(...o.latencies))), 1),
        p99s: offered.map((o) => round(percentile(o.latencies, 99), 2)),
        target: 100,
        scheduleLagP99Ms: round(median(offered.map((o) => percentile(o.scheduleLagMs, 99))), 1),
      },
      undelivered: left,
    };
  } finally {
    await h.close();
  }
}

const receiver = await startReceiverProcess();
const results = [];
try {
  for (const dialect of benchDialects()) results.push(await runDialect(dialect, receiver));
} finally {
  await receiver.close();
}
printTable(
  `Drain of ${drainCount} completed tasks, ${rounds} interleaved rounds (medians; latency = enqueue → receiver's 2xx)`,
  [
    ["database", "raw /s", "Hookline /s", "ratio", "target", "p50 ms", "p99 ms", "raw RTT p50/p99 ms"],
    ...results.map((r) => [
      r.dialect,
      r.drain.rawPerSecond,
      r.drain.hooklinePerSecond,
      r.drain.ratio,
      ">= 0.5",
      r.drain.hooklineP50Ms,
      r.drain.hooklineP99Ms,
      `${r.drain.rawP50Ms} / ${r.drain.rawP99Ms}`,
    ]),
  ],
);
printTable(`Offered load: ${offeredRate} completions/s for ${offeredSeconds} s, ${rounds} rounds (medians)`, [
  ["database", "achieved /s", "p50 ms", "p99 ms", "target", "max ms", "enqueue lag p99 ms"],
  ...results.map((r) => [
    r.dialect,
    r.offered.achievedPerSecond,
    r.offered.p50Ms,
    r.offered.p99Ms,
    "< 100",
    r.offered.maxMs,
    r.offered.scheduleLagP99Ms,
  ]),
]);
writeResults("delivery", { quick: args.quick, rounds, results });
