/**
 * Fair claiming: how long one key's single task waits behind another key's backlog. Key A queues a backlog of WAV
 * conversions (30 s tracks, distinct uploads); right after, key B asks for one conversion of a 3 s track. The
 * figure is B's wait (submission → SUCCESS) against the run time of a single conversion on an idle server, per
 * runner slot: fair claiming keeps it near one task's run time, arrival order makes it the whole backlog's.
 * A real server in this process (HTTP, runner, SQLite or PostgreSQL), two runner slots.
 *
 *   node dist/bench/fairness.js [--quick] [--backlog N] [--postgres]
 */
import { readFile, rm } from "node:fs/promises";
import { type Running, startHookline } from "../src/app/index.js";
import { loadConfig } from "../src/config/index.js";
import { createKey } from "../src/keys/index.js";
import { silentLogger } from "../src/lib/logger.js";
import { benchAudio } from "./lib/audio.js";
import { type BenchDatabase, freshBenchDatabase } from "./lib/db.js";
import { benchTempDir } from "./lib/hookline.js";
import { note, parseArgs, printTable, writeResults } from "./lib/report.js";
import { monoMs, round, sleep } from "./lib/stats.js";

const args = parseArgs();
const i = process.argv.indexOf("--backlog");
const backlog = i >= 0 ? Number(process.argv[i + 1]) : args.quick ? 60 : 300;
const dialect = process.argv.includes("--postgres") ? "postgres" : "sqlite";
const slots = 2;

interface Envelope {
  code: number;
  msg: string;
  data: { taskId?: string; audioId?: string; status?: string } | null;
}

const dataDir = benchTempDir("fairness");
const db: BenchDatabase = await freshBenchDatabase(dialect, `${dataDir}/hookline.db`);
const config = loadConfig({
  HOOKLINE_DATA_DIR: dataDir,
  HOOKLINE_PORT: "0",
  HOOKLINE_DEV: "1",
  HOOKLINE_POLL_MS: "50",
  HOOKLINE_CONCURRENCY: String(slots),
  HOOKLINE_DATABASE_URL: db.target.kind === "postgres" ? db.target.url : `sqlite:${db.target.path}`,
});
const running: Running = await startHookline({ config, log: silentLogger });
const url = running.url ?? "";
const { store, clock } = running.services;

async function call(apiKey: string, path: string, body?: FormData | object): Promise<Envelope> {
  const init: RequestInit =
    body === undefined
      ? {}
      : body instanceof FormData
        ? { method: "POST", body }
        : { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } };
  const res = await fetch(`${url}${path}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${apiKey}` },
  });
  const env = (await res.json()) as Envelope;
  if (env.code !== 200) throw new Error(`${path}: ${env.code} ${env.msg}`);
  return env;
}

async function upload(apiKey: string, bytes: Buffer, name: string): Promise<string> {
  const form = new FormData();
  form.set("uploadPath", "bench");
  form.set("fileName", name);
  form.set("file", new Blob([bytes]), name);
  const env = await call(apiKey, "/api/file-stream-upload", form);
  return env.data?.audioId ?? "";
}

async function convert(apiKey: string, audioId: string): Promise<string> {
  return (await call(apiKey, "/api/v1/wav/generate", { audioId })).data?.taskId ?? "";
}

async function waitDone(apiKey: string, taskId: string): Promise<number> {
  for (;;) {
    const env = await call(apiKey, `/api/v1/wav/record-info?taskId=${taskId}`);
    if (env.data?.status !== "PENDING") return monoMs();
    await sleep(20);
  }
}

try {
  const a = await createKey(store, clock, { name: "backlog" });
  const b = await createKey(store, clock, { name: "single" });
  const long = await readFile(await benchAudio("mp3", 0.5));
  const short = await readFile(await benchAudio("mp3", 0.05));

  // Key B alone on an idle server: the run time of its task, the yardstick.
  const alone: number[] = [];
  for (let n = 0; n < 3; n++) {
    const id = await convert(b.apiKey, await upload(b.apiKey, short, `alone-${n}.mp3`));
    const t0 = monoMs();
    alone.push((await waitDone(b.apiKey, id)) - t0);
  }
  const aloneMs = alone.sort((x, y) => x - y)[1] ?? 0;

  note(`uploading ${backlog} tracks for key A`);
  const tracks: string[] = [];
  for (let n = 0; n < backlog; n++) tracks.push(await upload(a.apiKey, long, `a-${n}.mp3`));
  const bTrack = await upload(b.apiKey, short, "b.mp3");
  // Submitted with the runner idle, so the whole backlog is queued before B's task arrives.
  await running.runner?.stop();
  const aTasks: string[] = [];
  for (const t of tracks) aTasks.push(await convert(a.apiKey, t));
  running.runner?.start();
  await sleep(200);
  const bSubmitted = monoMs();
  const bTask = await convert(b.apiKey, bTrack);
  const bWait = (await waitDone(b.apiKey, bTask)) - bSubmitted;
  const aDone = (await waitDone(a.apiKey, aTasks[aTasks.length - 1] ?? "")) - bSubmitted;

  printTable(`Key B's one task behind key A's backlog (${dialect}, ${slots} runner slots)`, [
    ["backlog (A)", "B alone ms", "B wait ms", "B wait / B alone", "A drained ms"],
    [backlog, round(aloneMs), round(bWait), round(bWait / aloneMs), round(aDone)],
  ]);
  writeResults(`fairness-${dialect}`, { backlog, slots, aloneMs, bWaitMs: bWait, aDrainedMs: aDone });
} finally {
  await running.stop(5_000);
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
}
