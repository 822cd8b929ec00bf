/**
 * Submission throughput: `POST /api/v1/wav/generate` on the real server (real auth, track lookup, dedupe check
 * and task insert on SQLite; runner and sender off so no conversion competes for CPU), next to a bare Fastify
 * route answering a constant, in the same run and the same process model: each server in its own process,
 * autocannon (50 connections) in this one. Every Hookline request names a distinct, pre-registered audioId, so
 * the measured path is the realistic 200 (a repeated audioId would be refused by the dedupe with a 409).
 * Tracks are converted in the order they were registered, as uploads are usually converted soon after; with
 * `--shuffle` the audioIds not yet used are taken in random order instead (an index-locality check, not the target).
 *
 *   node dist/bench/submit.js [--quick] [--rounds N] [--shuffle]
 */
import { randomUUID } from "node:crypto";
import autocannon, { type AutocannonResult } from "autocannon";
import { note, parseArgs, printTable, writeResults } from "./lib/report.js";
import { median, round } from "./lib/stats.js";
import { type ServerProcess, startServerProcess } from "./lib/submit-client.js";

const args = parseArgs();
const seconds = args.quick ? 3 : 10;
const rounds = args.rounds ?? (args.quick ? 1 : 3);
const shuffle = process.argv.includes("--shuffle");
const connections = 50;
const callBackUrl = "http://127.0.0.1:9/bench-callback"; // vetted on submit; nothing is ever sent to it

interface Run {
  readonly perSecond: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Drives `server` for `duration` s; each request takes the next audioId from `pool`. */
async function load(
  server: ServerProcess,
  pool: { ids: string[]; next: number },
  duration: number,
): Promise<Run> {
  const result: AutocannonResult = await autocannon({
    url: server.url,
    connections,
    duration,
    requests: [
      {
        method: "POST",
        path: "/api/v1/wav/generate",
        headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" },
        setupRequest(req) {
          const audioId = pool.ids[pool.next++ % pool.ids.length];
          return { ...req, body: JSON.stringify({ audioId, callBackUrl }) };
        },
      },
    ],
  });
  return {
    perSecond: result["2xx"] / result.duration,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

const bare = await startServerProcess("bare");
const hookline = await startServerProcess("hookline");
try {
  const barePool = { ids: Array.from({ length: 1000 }, () => randomUUID()), next: 0 };
  const tracks = { ids: [] as string[], next: 0 };
  /** Registers tracks (between runs, untimed) so that `duration` s at `rate`/s never reuses an audioId. */
  const provide = async (rate: number, duration: number) => {
    const want = Math.ceil(rate * duration * 1.5) + 2_000;
    const left = tracks.ids.length - tracks.next;
    // Not push(...ids): a spread of 100,000+ arguments overflows the stack once the server is fast.
    if (left < want) for (const id of await hookline.register(want - left)) tracks.ids.push(id);
    if (shuffle) {
      for (let i = tracks.ids.length - 1; i > tracks.next; i--) {
        const j = tracks.next + Math.floor(Math.random() * (i - tracks.next + 1));
        [tracks.ids[i], tracks.ids[j]] = [tracks.ids[j]!, tracks.ids[i]!];
      }
    }
  };
  note("warming up both servers (2 s each)");
  await load(bare, barePool, 2);
  await provide(1_000, 2);
  const warm = await load(hookline, tracks, 2);
  let rate = warm.perSecond;

  const bares: Run[] = [];
  const hooks: Run[] = [];
  for (let r = 0; r < rounds; r++) {
    note(`round ${r + 1}/${rounds} (${seconds} s each)`);
    await provide(rate, seconds);
    if (r % 2 === 0) bares.push(await load(bare, barePool, seconds));
    hooks.push(await load(hookline, tracks, seconds));
    if (r % 2 === 1) bares.push(await load(bare, barePool, seconds));
    rate = Math.max(rate, hooks.at(-1)!.perSecond);
  }
  const ratios = hooks.map((h, i) => h.perSecond / bares[i]!.perSecond);
  const summary = (runs: Run[]) => ({
    perSecond: round(median(runs.map((x) => x.perSecond)), 0),
    p50Ms: median(runs.map((x) => x.p50Ms)),
    p99Ms: median(runs.map((x) => x.p99Ms)),
    non2xx: runs.reduce((s, x) => s + x.non2xx, 0),
    errors: runs.reduce((s, x) => s + x.errors, 0),
  });
  const result = {
    connections,
    seconds,
    bare: summary(bares),
    hookline: { ...summary(hooks), tracksRegistered: tracks.ids.length },
    ratio: round(median(ratios), 3),
    ratios: ratios.map((x) => round(x, 3)),
    target: round(1 / 3, 3),
  };
  printTable(
    `POST /api/v1/wav/generate, ${connections} connections, ${rounds} × ${seconds} s interleaved (medians)`,
    [
      ["server", "2xx /s", "p50 ms", "p99 ms", "non-2xx", "errors"],
      ...(["bare", "hookline"] as const).map((k) => [
        k === "bare" ? "bare Fastify" : "Hookline",
        result[k].perSecond,
        result[k].p50Ms,
        result[k].p99Ms,
        result[k].non2xx,
        result[k].errors,
      ]),
    ],
  );
  printTable("Hookline / bare", [
    ["ratio", "target", "per round", "tracks registered (each one a task of the key)"],
    [result.ratio, ">= 0.33", result.ratios.join(" "), result.hookline.tracksRegistered],
  ]);
  writeResults("submit", { quick: args.quick, rounds, shuffle, ...result });
} finally {
  await Promise.all([bare.close(), hookline.close()]);
}
