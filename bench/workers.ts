/**
 * Worker scaling: WAV conversions and their callbacks per second with 1, 2 and 4 `hookline worker` processes on
 * one PostgreSQL database and one shared data folder, each process with 1 runner slot and then with 2 (the
 * default on this 2-core machine: one per core). The API runs in this process (no runner, no sender: it only
 * takes the work in); M distinct 6-second MP3 tracks are uploaded through it first (untimed), the workers are
 * started and wait, then M conversions are submitted over HTTP, each with a callBackUrl to the receiver process.
 * Timed from the first submission: completions/s until every task reads SUCCESS (polled), deliveries/s until the
 * receiver has answered every callback. The workers' CPU (their own + their ffmpeg children's) shows how busy
 * the machine was.
 *
 * Baseline, in the same run: the ffmpeg CLI converting the same track M times with as many at once as the
 * workers have slots in all (`ffmpeg -i src -c:a pcm_s16le out.wav`, no database, no HTTP); ratio =
 * Hookline's completions/s / the CLI's conversions/s at the same parallelism.
 *
 * Where the curve bends, and why: a conversion is CPU work (ffmpeg decoding the MP3, plus Node's share: the claim,
 * the outcome's transaction, storing the WAV, the callback), so completions/s grow with slots only while a core
 * is free; past the free cores, more processes time-share the same cores and add their own cost (each Node
 * process idles, renews leases and polls), so CPU per task rises and the rate flattens or falls. On this 2-core
 * machine a process with the default 2 slots already fills both cores: the bend is at 1 process (at 2 processes
 * of 1 slot each). On 2026-12-05 the machine was shared with four other busy sessions (load 12–21): in one run
 * the workers got ~0.4 of a core whatever their number and the curve was flat from 1 process on; in another the
 * kernel gave more processes a larger share against the neighbours (0.2 → 1.4 cores busy) and the rate rose
 * with them, as the CLI baseline's did: the ratio to the CLI (0.7–1.0) is what travels (docs/benchmarks.md).
 * More processes pay off with more free cores, or with more machines: each
 * worker claims by lease from the shared database, so adding machines is how this scales. Deliveries follow
 * completions: a worker's sender posts a callback as soon as its task's outcome commits, and a POST is far
 * cheaper than a conversion.
 *
 *   HOOKLINE_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node dist/bench/workers.js [--quick] [--rounds N] [--tracks M]
 */
import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startHookline } from "../src/app/index.js";
import { loadConfig } from "../src/config/index.js";
import { createKey } from "../src/keys/index.js";
import { silentLogger } from "../src/lib/logger.js";
import { benchAudio } from "./lib/audio.js";
import { BENCH_POSTGRES_URL, freshBenchDatabase } from "./lib/db.js";
import { benchTempDir } from "./lib/hookline.js";
import { startReceiverProcess } from "./lib/receiver.js";
import { note, parseArgs, printTable, writeResults } from "./lib/report.js";
import { cpuSeconds, inParallel, median, monoMs, round, sleep } from "./lib/stats.js";
import { startWorkers } from "./lib/worker-process.js";

const args = parseArgs();
const t = process.argv.indexOf("--tracks");
const tracks = t >= 0 ? Number(process.argv[t + 1]) : args.quick ? 40 : 160;
const rounds = args.rounds ?? 2;
const processCounts = [1, 2, 4];
const slotCounts = [1, 2];
/** Submissions in flight at once: enough that the API is never what the workers wait for. */
const submitters = 8;

if (!BENCH_POSTGRES_URL) {
  note(
    "HOOKLINE_BENCH_DATABASE_URL is not set: workers share work through PostgreSQL, so there is nothing to run",
  );
  process.exit(0);
}

const cli = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const dataDir = benchTempDir("workers");
const db = await freshBenchDatabase("postgres", "");
if (db.target.kind !== "postgres") throw new Error("expected a PostgreSQL database");
const receiver = await startReceiverProcess();
const common = { HOOKLINE_DATA_DIR: dataDir, HOOKLINE_DEV: "1", HOOKLINE_DATABASE_URL: db.target.url };
const api = await startHookline({
  config: loadConfig({ ...common, HOOKLINE_PORT: "0" }),
  log: silentLogger,
  roles: { api: true, runner: false, sender: false },
});
const apiUrl = api.url ?? "";
const { store, clock } = api.services;

interface Envelope {
  code: number;
  msg: string;
  data: { taskId?: string; audioId?: string } | null;
}

async function call(apiKey: string, path: string, body: FormData | object): Promise<Envelope> {
  const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
  if (!(body instanceof FormData)) headers["content-type"] = "application/json";
  const res = await fetch(`${apiUrl}${path}`, {
    method: "POST",
    body: body instanceof FormData ? body : JSON.stringify(body),
    headers,
  });
  const envelope = (await res.json()) as Envelope;
  if (envelope.code !== 200) throw new Error(`${path}: ${envelope.code} ${envelope.msg}`);
  return envelope;
}

/**
 * The same track converted `n` times by the ffmpeg CLI, `parallel` at once: the machine's own rate, and the CPU
 * one conversion costs ffmpeg (the floor under Hookline's CPU per task).
 */
async function cliRate(
  src: string,
  n: number,
  parallel: number,
): Promise<{ perSecond: number; cpu: number }> {
  const cpu0 = cpuSeconds().children;
  const t0 = monoMs();
  await inParallel(n, parallel, async (i) => {
    const out = join(dataDir, `cli-${i}.wav`);
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn("ffmpeg", ["-nostdin", "-v", "error", "-i", src, "-c:a", "pcm_s16le", "-y", out], {
        stdio: "ignore",
      });
      child.once("error", reject);
      child.once("close", resolve);
    });
    await rm(out, { force: true });
    if (code !== 0) throw new Error(`ffmpeg CLI exited with ${code}`);
  });
  const perSecond = n / ((monoMs() - t0) / 1000);
  return { perSecond, cpu: (cpuSeconds().children - cpu0) / n };
}

/** Counts the tasks that are done (SUCCESS or failed), and of them the successes. */
async function doneCount(ids: readonly string[]): Promise<{ done: number; success: number }> {
  const rows = await store.db
    .selectFrom("tasks")
    .select(["status"])
    .where("id", "in", ids)
    .where("status", "!=", "PENDING")
    .execute();
  return { done: rows.length, success: rows.filter((r) => r.status === "SUCCESS").length };
}

interface Measure {
  readonly processes: number;
  readonly slots: number;
  readonly completionsPerSecond: number;
  readonly deliveriesPerSecond: number;
  readonly failed: number;
  /** Workers' CPU seconds (with ffmpeg's) per wall-clock second of the run: 2 = both cores busy. */
  readonly coresBusy: number;
  readonly cpuPerTask: number;
}

async function measure(
  apiKey: string,
  bytes: Buffer,
  processes: number,
  slots: number,
  n = tracks,
): Promise<Measure> {
  const audioIds: string[] = [];
  // Four at once: the per-key limit on uploads in progress (HOOKLINE_MAX_UPLOADS_PER_KEY's default).
  await inParallel(n, 4, async (i) => {
    const form = new FormData();
    form.set("uploadPath", "bench");
    form.set("fileName", `track-${i}.mp3`);
    form.set("file", new Blob([bytes]), `track-${i}.mp3`);
    audioIds.push((await call(apiKey, "/api/file-stream-upload", form)).data?.audioId ?? "");
  });
  const workers = await startWorkers(
    cli,
    {
      ...common,
      HOOKLINE_PUBLIC_URL: apiUrl,
      HOOKLINE_CONCURRENCY: String(slots),
      HOOKLINE_LOG_LEVEL: "warn",
    },
    processes,
  );
  try {
    await receiver.reset();
    const delivered = receiver.reached(n);
    const cpu0 = workers.cpuSeconds();
    const t0 = monoMs();
    const taskIds: string[] = [];
    await inParallel(n, submitters, async (i) => {
      const body = { audioId: audioIds[i], callBackUrl: `${receiver.origin}/hook` };
      taskIds.push((await call(apiKey, "/api/v1/wav/generate", body)).data?.taskId ?? "");
    });
    let counts = await doneCount(taskIds);
    while (counts.done < n) {
      await sleep(25);
      counts = await doneCount(taskIds);
    }
    const completedAt = monoMs();
    const failed = n - counts.success;
    // A failed task's callback is delivered too (it says the task failed), so the receiver still sees them all.
    await delivered;
    const deliveredAt = monoMs();
    const cpu = workers.cpuSeconds() - cpu0;
    return {
      processes,
      slots,
      completionsPerSecond: n / ((completedAt - t0) / 1000),
      deliveriesPerSecond: n / ((deliveredAt - t0) / 1000),
      failed,
      coresBusy: cpu / ((deliveredAt - t0) / 1000),
      cpuPerTask: cpu / n,
    };
  } finally {
    await workers.stop();
  }
}

try {
  const key = await createKey(store, clock, { name: "workers" });
  const src = await benchAudio("mp3", 0.1);
  const bytes = await readFile(src);
  const configs = slotCounts.flatMap((slots) => processCounts.map((processes) => ({ processes, slots })));
  const parallels = [...new Set(configs.map((c) => c.processes * c.slots))].sort((a, b) => a - b);

  note("warming up: 1 worker, a quarter of the tracks (discarded), and the CLI once");
  await measure(key.apiKey, bytes, 1, 1, Math.ceil(tracks / 4));
  await cliRate(src, Math.ceil(tracks / 4), 2);

  const samples = configs.map(() => [] as Measure[]);
  const ratios = configs.map(() => [] as number[]);
  const cli = new Map<number, number[]>(parallels.map((p) => [p, []]));
  const cliCpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = configs.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    const cliNow = new Map<number, number>();
    for (const p of r % 2 === 0 ? parallels : [...parallels].reverse()) {
      note(`round ${r + 1}/${rounds}: ffmpeg CLI, ${p} at once`);
      const { perSecond, cpu } = await cliRate(src, tracks, p);
      cliNow.set(p, perSecond);
      cli.get(p)?.push(perSecond);
      cliCpu.push(cpu);
    }
    for (const i of order) {
      const { processes, slots } = configs[i]!;
      note(`round ${r + 1}/${rounds}: ${processes} worker(s) × ${slots} slot(s), ${tracks} conversions`);
      const m = await measure(key.apiKey, bytes, processes, slots);
      samples[i]!.push(m);
      ratios[i]!.push(m.completionsPerSecond / (cliNow.get(processes * slots) ?? Number.NaN));
    }
  }

  const results = configs.map((c, i) => {
    const s = samples[i]!;
    return {
      ...c,
      totalSlots: c.processes * c.slots,
      completionsPerSecond: round(median(s.map((m) => m.completionsPerSecond)), 2),
      deliveriesPerSecond: round(median(s.map((m) => m.deliveriesPerSecond)), 2),
      cliPerSecond: round(median(cli.get(c.processes * c.slots) ?? []), 2),
      ratioToCli: round(median(ratios[i]!), 3),
      ratios: ratios[i]!.map((x) => round(x, 3)),
      coresBusy: round(median(s.map((m) => m.coresBusy)), 2),
      cpuPerTaskMs: round(median(s.map((m) => m.cpuPerTask)) * 1000, 0),
      failed: s.reduce((sum, m) => sum + m.failed, 0),
    };
  });
  const cliCpuMs = round(median(cliCpu) * 1000, 0);
  const one = (slots: number) => results.find((r) => r.slots === slots && r.processes === 1)!;
  printTable(
    `${tracks} WAV conversions of a 6 s MP3 + callbacks, PostgreSQL, ${rounds} rounds (medians; ratio = completions/s / ffmpeg CLI /s at the same parallelism, same round; the CLI used ${cliCpuMs} ms CPU per conversion)`,
    [
      [
        "workers × slots",
        "completions/s",
        "× 1 worker",
        "deliveries/s",
        "CLI /s",
        "ratio to CLI",
        "cores busy",
        "CPU ms/task",
        "failed",
      ],
      ...results.map((r) => [
        `${r.processes} × ${r.slots}`,
        r.completionsPerSecond,
        round(r.completionsPerSecond / one(r.slots).completionsPerSecond, 2),
        r.deliveriesPerSecond,
        r.cliPerSecond,
        r.ratioToCli,
        r.coresBusy,
        r.cpuPerTaskMs,
        r.failed,
      ]),
    ],
  );
  writeResults("workers", { quick: args.quick, rounds, tracks, cliCpuMsPerConversion: cliCpuMs, results });
} finally {
  await api.stop(5_000);
  await receiver.close();
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
}
