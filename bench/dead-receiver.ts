/**
 * Fair delivery beside a dead receiver (issue 11): the latency of healthy receivers' callbacks while another
 * receiver accepts connections and never answers. A backlog of callbacks to the dead receiver is queued first
 * (older, so a claim by age alone hands it every slot); then tasks complete at a steady rate for a fast receiver
 * (another process), and the figure is the fast receiver's p50 / p99 from commit to its 2xx, in three setups:
 *
 * - alone: no dead backlog (the baseline);
 * - beside the dead receiver, with the per-host cap (`HOOKLINE_DELIVERY_PER_HOST`, default half the slots);
 * - beside the dead receiver, with the cap lifted to every slot (what the sender did before the cap).
 *
 * The dead receiver holds each request until the sender's real 15 s timeout. SQLite always; PostgreSQL too
 * when HOOKLINE_BENCH_DATABASE_URL is set. One round per setup (the no-cap one lasts the dead backlog's
 * timeouts, about a minute).
 *
 *   node dist/bench/dead-receiver.js [--quick]
 */
import { createServer, type Socket } from "node:net";
import { benchDialects } from "./lib/db.js";
import { completedBurst, latencies, offeredLoad } from "./lib/delivery-sides.js";
import { openBenchHookline } from "./lib/hookline.js";
import { startReceiverProcess } from "./lib/receiver.js";
import { note, parseArgs, printTable, writeResults } from "./lib/report.js";
import { percentile, round } from "./lib/stats.js";

const args = parseArgs();
const rate = 200;
const seconds = args.quick ? 3 : 10;
const CONCURRENCY = 64;
/** Two full claims' worth: without a cap the dead receiver holds every slot for two 15 s timeouts. */
const deadBacklog = 2 * CONCURRENCY;

/** A TCP server that takes every connection and every byte and never answers (a hung receiver). */
async function startDeadReceiver() {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on("data", () => {});
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    open: () => sockets.size,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

type Setup = "alone" | "capped" | "uncapped";

async function run(dialect: "sqlite" | "postgres", setup: Setup) {
  const receiver = await startReceiverProcess();
  const dead = await startDeadReceiver();
  const h = await openBenchHookline({
    dialect,
    env: {
      HOOKLINE_DELIVERY_CONCURRENCY: String(CONCURRENCY),
      ...(setup === "uncapped" ? { HOOKLINE_DELIVERY_PER_HOST: String(CONCURRENCY) } : {}),
    },
  });
  try {
    if (setup !== "alone") await completedBurst(h, dead.url, deadBacklog);
    note(`${dialect}, ${setup}: ${rate}/s for ${seconds} s to the fast receiver`);
    const phase = await offeredLoad(h, receiver, `${receiver.origin}/hook`, rate, seconds);
    const lat = latencies(phase.enqueued, await receiver.collect());
    return {
      dialect,
      setup,
      perHost: h.services.config.delivery.perHost,
      deadBacklog: setup === "alone" ? 0 : deadBacklog,
      delivered: lat.length,
      p50Ms: round(percentile(lat, 50), 1),
      p99Ms: round(percentile(lat, 99), 1),
      maxMs: round(Math.max(...lat), 1),
      seconds: round(phase.seconds, 1),
    };
  } finally {
    await h.close();
    await dead.close();
    await receiver.close();
  }
}

const results: Awaited<ReturnType<typeof run>>[] = [];
for (const dialect of benchDialects())
  for (const setup of ["alone", "capped", "uncapped"] as const) results.push(await run(dialect, setup));

printTable(
  `A fast receiver's callbacks (${rate}/s for ${seconds} s) beside a receiver that never answers (${deadBacklog} older callbacks, 15 s timeout), ${CONCURRENCY} delivery slots`,
  [
    ["database", "setup", "per-host cap", "dead backlog", "p50 ms", "p99 ms", "max ms", "p99 / alone"],
    ...results.map((r) => {
      const alone = results.find((x) => x.dialect === r.dialect && x.setup === "alone");
      return [
        r.dialect,
        r.setup,
        r.perHost,
        r.deadBacklog,
        r.p50Ms,
        r.p99Ms,
        r.maxMs,
        alone ? round(r.p99Ms / alone.p99Ms, 2) : "",
      ];
    }),
  ],
);
writeResults("dead-receiver", { rate, seconds, concurrency: CONCURRENCY, deadBacklog, results });
