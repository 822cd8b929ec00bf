/**
 * Slow clients (issue 9, finding 6): `hookline serve` from dist/ as a child process, then 1,000 slow clients,
 * half dripping their request headers and half dripping multipart upload bodies with valid keys (spread over
 * enough keys that the per-key upload cap refuses none: the time limits are what is measured), one byte every
 * 10 s each; half of the uploaders give up by themselves after 10 s (client aborts, as logged). Meanwhile the server's open file descriptors and RSS are sampled from /proc every second, and a
 * normal request is timed every 200 ms (`GET /healthz`, and an authenticated `GET /api/v1/generate/credit`).
 * Figures only; `--server PATH` runs another build's CLI (e.g. the base commit's, for a before/after).
 *
 *   node dist/bench/slow-clients.js [--quick] [--clients N] [--seconds S] [--server path/to/dist/src/cli/main.js]
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config/index.js";
import { createKey } from "../src/keys/index.js";
import { systemClock } from "../src/lib/clock.js";
import { openStore } from "../src/store/index.js";
import { bodyStart, type DripClient, headersStart, leave, openDripClient } from "./lib/drip-clients.js";
import { benchTempDir } from "./lib/hookline.js";
import { note, parseArgs, printTable, writeResults } from "./lib/report.js";
import { procSample, startServe } from "./lib/serve-process.js";
import { monoMs, percentile, round, sleep } from "./lib/stats.js";

const args = parseArgs();
const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const clients = Number(flag("--clients") ?? 1000);
const cli = flag("--server") ?? fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const seconds = Number(flag("--seconds") ?? (args.quick ? 35 : 60));
const dripMs = 10_000;
const uploadsPerKey = 4; // the default cap: this many uploads per key are all accepted

const dataDir = benchTempDir("slow-clients");
const config = loadConfig({ HOOKLINE_DATA_DIR: dataDir });
const store = await openStore(config.database);
const keys: string[] = [];
for (let i = 0; i < Math.ceil(clients / 2 / uploadsPerKey); i++) {
  keys.push((await createKey(store, systemClock, { name: `drip-${i}` })).apiKey);
}
await store.close();

const server = await startServe(cli, { HOOKLINE_DATA_DIR: dataDir, HOOKLINE_PORT: "0" });
note(`server ${cli} (pid ${server.pid}) at ${server.url}; ${clients} slow clients, ${keys.length} keys`);
const started = monoMs();
const at = () => (monoMs() - started) / 1000;

interface Probe {
  readonly t: number;
  readonly healthMs: number;
  readonly creditMs: number;
}
const probes: Probe[] = [];
const samples: { t: number; fds: number; rssMb: number; open: number }[] = [];
const open: DripClient[] = [];
let running = true;
let endAt = Number.POSITIVE_INFINITY; // clients closed after this were closed by the benchmark, not the server

async function timed(path: string, auth?: string): Promise<number> {
  const t0 = monoMs();
  const res = await fetch(
    `${server.url}${path}`,
    auth ? { headers: { authorization: `Bearer ${auth}` } } : {},
  );
  await res.arrayBuffer();
  return res.ok ? monoMs() - t0 : Number.NaN;
}
const prober = (async () => {
  while (running) {
    const t = at();
    const healthMs = await timed("/healthz").catch(() => Number.NaN);
    const creditMs = await timed("/api/v1/generate/credit", keys[0]).catch(() => Number.NaN);
    probes.push({ t, healthMs, creditMs });
    await sleep(200);
  }
})();
const sampler = setInterval(() => {
  const { fds, rssBytes } = procSample(server.pid);
  const live = open.filter((c) => c.closedAt === null).length;
  samples.push({ t: at(), fds, rssMb: rssBytes / 2 ** 20, open: live });
}, 1000);

try {
  await sleep(3000); // the idle baseline
  const opening = at();
  for (let i = 0; i < clients; i += 50) {
    const batch = Array.from({ length: Math.min(50, clients - i) }, (_, j) => {
      const n = i + j;
      return n % 2 === 0
        ? openDripClient(server.url, "headers", headersStart(), dripMs)
        : openDripClient(server.url, "body", bodyStart(keys[(n >> 1) % keys.length]!), dripMs);
    });
    open.push(...(await Promise.all(batch)));
  }
  note(`${open.length} clients open in ${round(at() - opening, 1)} s; sampling for ${seconds} s`);
  const giveUp = setTimeout(() => {
    for (const [i, c] of open.filter((c) => c.kind === "body").entries()) if (i % 2 === 1) leave(c);
  }, 10_000);
  await sleep(seconds * 1000);
  clearTimeout(giveUp);
} finally {
  endAt = monoMs();
  running = false;
  clearInterval(sampler);
  await prober;
  for (const c of open) c.socket.destroy();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

const lifetimes = (kind: DripClient["kind"]) =>
  open
    .filter((c) => c.kind === kind && !c.left && c.closedAt !== null && c.closedAt < endAt)
    .map((c) => (c.closedAt! - c.openedAt) / 1000);
const latency = (pick: (p: Probe) => number, from: number, to: number) => {
  const v = probes.filter((p) => p.t >= from && p.t < to).map(pick);
  const ok = v.filter(Number.isFinite);
  return {
    p50: round(percentile(ok, 50)),
    p99: round(percentile(ok, 99)),
    max: round(Math.max(...ok)),
    failed: v.length - ok.length,
  };
};
const windows = [
  ["idle (before clients)", 0, 3],
  ["clients open (3–15 s)", 3, 15],
  ["after the cut-offs (25 s–end)", 25, Number.POSITIVE_INFINITY],
] as const;
const shown = samples.filter(
  (s, i) =>
    i === 0 || [3, 5, 10, 12, 15, 20, 25, 30, 45, 60, 75, 90, 105, 120].some((t) => Math.abs(s.t - t) < 0.5),
);
printTable(`Server under ${clients} slow clients (1 byte / ${dripMs / 1000} s): open fds and RSS over time`, [
  ["t s", "clients still open", "server fds", "RSS MB"],
  ...shown.map((s) => [round(s.t, 0), s.open, s.fds, round(s.rssMb, 1)]),
]);
printTable("Normal requests meanwhile (ms)", [
  ["window", "healthz p50", "p99", "max", "credit p50", "p99", "max", "failed"],
  ...windows.map(([name, from, to]) => {
    const h = latency((p) => p.healthMs, from, to);
    const c = latency((p) => p.creditMs, from, to);
    return [name, h.p50, h.p99, h.max, c.p50, c.p99, c.max, h.failed + c.failed];
  }),
]);
const cut = { headers: lifetimes("headers"), body: lifetimes("body") };
const cutsByReason = Object.fromEntries(server.cuts);
const levels = Object.fromEntries([...server.log.byLevel].sort(([a], [b]) => a - b));
printTable("Clients closed by the server, and the server's log", [
  ["kind (uploads: those that did not give up)", "closed by server", "median lifetime s", "max s"],
  ...(["headers", "body"] as const).map((k) => [
    k,
    cut[k].length,
    round(percentile(cut[k], 50), 1),
    round(Math.max(0, ...cut[k]), 1),
  ]),
  ["server cut-offs logged", JSON.stringify(cutsByReason), "", ""],
  ["log lines by level", JSON.stringify(levels), `${round(server.log.bytes / 1024, 1)} KB`, ""],
]);
writeResults("slow-clients", {
  quick: args.quick,
  server: cli,
  clients,
  keys: keys.length,
  dripMs,
  samples: samples.map((s) => ({ ...s, t: round(s.t, 1), rssMb: round(s.rssMb, 1) })),
  latency: Object.fromEntries(
    windows.map(([name, from, to]) => [
      name,
      { healthz: latency((p) => p.healthMs, from, to), credit: latency((p) => p.creditMs, from, to) },
    ]),
  ),
  closedByServer: { headers: cut.headers.length, body: cut.body.length },
  logLinesByLevel: levels,
  cutsByReason,
  logBytes: server.log.bytes,
});
