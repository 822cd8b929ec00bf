/**
 * Many processes, none lost (PostgreSQL only): 2 `hookline api` and 3 `hookline worker` processes (the real CLI
 * from dist/) share one database, one storage and one public URL (a round-robin proxy in front of the API
 * processes) and one bucket on an S3-protocol server (s3rver). HOOKLINE_TEST_MANY_TASKS WAV tasks (default 2,000), one upload each of a few distinct sub-second
 * tracks, each with a callback; workers are SIGKILLed at random points of the run and started again. Then:
 * every task succeeded once (one WAV file row each, its link downloads a valid WAV), every callback arrived
 * (duplicates carry the same webhook-id), no blob is left that no row references beyond what the kills may leave
 * between a blob and its row (which the reconciler then removes), and no source was converted by two workers at
 * the same time, as an ffmpeg spy saw it from outside the engine.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBlobReconciler, openS3BlobStore } from "../../src/files/index.js";
import { silentLogger } from "../../src/lib/logger.js";
import { openStore, type Store } from "../../src/store/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { strayObjects } from "../helpers/blobs.js";
import { freshDatabase, type TestDb } from "../helpers/db.js";
import { MANY_TASKS, POSTGRES_URL } from "../helpers/env.js";
import { ffmpegSpy, maxConcurrency, overlaps } from "../helpers/ffmpeg-spy.js";
import { type CliKey, createKeyWithCli, killAllChildren, startHooklineProcess } from "../helpers/process.js";
import { type ApiProxy, startProxy } from "../helpers/proxy.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { s3Settings, startS3, type TestS3 } from "../helpers/s3.js";
import { client, header, parseWav, signedStandard, waitFor } from "./support.js";

const WORKERS = 3;
const APIS = 2;
const WORKER_CONCURRENCY = 2;
/** Kills spread over the run, at random points of its progress. */
const KILLS = Math.min(8, Math.max(1, Math.floor(MANY_TASKS / 20)));
/**
 * How long the run may take: about 0.35 s of CPU per task (an ffprobe at upload, an ffmpeg, the HTTP and SQL
 * around them) is ~3 min per 1,000 tasks on 2 idle cores; a machine shared with other work is given 1.5 s each.
 */
const BUDGET_MS = 120_000 + 1_500 * MANY_TASKS;
/** A process (re)started while the others convert may take a while to be ready on a busy machine. */
const READY_MS = 120_000;

if (!POSTGRES_URL) {
  process.stderr.write(
    "\n*** HOOKLINE_TEST_DATABASE_URL is not set: test/e2e/many-processes.test.ts (PostgreSQL only) is SKIPPED. ***\n\n",
  );
}

/** Runs `fn` over `items` with at most `n` at a time. */
async function pool<T, R>(
  items: readonly T[],
  n: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

describe.skipIf(!POSTGRES_URL)("many processes: 2 api + 3 workers on PostgreSQL, workers SIGKILLed", () => {
  let dir: TmpDir | null = null;
  let db: TestDb | null = null;
  let receiver: Receiver | null = null;
  let proxy: ApiProxy | null = null;
  let watch: Store | null = null;
  let s3: TestS3 | null = null;
  const held = new Set<NodeJS.Timeout>();
  /** Set when the test ends (failed half-way, or done): the killer starts no more workers. */
  let ending = false;
  let killerDone: Promise<void> = Promise.resolve();
  /** The proxy is the public URL of every process; it learns the API processes' addresses once they listen. */
  const targets: string[] = [];

  afterAll(async () => {
    ending = true;
    for (const t of held) clearTimeout(t);
    await killerDone;
    await killAllChildren();
    for (const t of held) clearTimeout(t);
    await proxy?.close();
    await receiver?.close();
    await s3?.close();
    await watch?.close();
    await db?.drop();
    await dir?.cleanup();
  });

  // The servers of the test (receiver, proxy) listen before it begins: connections to them are not its leaks.
  beforeAll(async () => {
    dir = await tmpDir("e2e-many");
    s3 = await startS3();
    db = await freshDatabase("postgres");
    watch = await openStore(db.target);
    let n = 0;
    // One answer in ten is held back a little, so that some kills land while a callback is mid-POST.
    receiver = await startReceiver((_req, res) => {
      if (n++ % 10 !== 0) return void res.end("ok");
      const t = setTimeout(() => {
        held.delete(t);
        if (!res.destroyed) res.end("ok");
      }, 300);
      held.add(t);
    });
    proxy = await startProxy(targets);
  });

  it(`${MANY_TASKS} tasks: each done once, no overlap, nothing lost`, {
    timeout: 2 * BUDGET_MS,
  }, async () => {
    const t0 = Date.now();
    if (!dir || !db || !watch || !receiver || !proxy || !s3) throw new Error("beforeAll did not finish");
    if (db.target.kind !== "postgres") throw new Error("expected PostgreSQL");
    const spy = await ffmpegSpy(dir.path);

    // Storage: one bucket on an S3-protocol server shared by every process; each keeps its scratch area in its
    // own data folder, as processes on separate machines would.
    const storage: Record<string, string> = { ...s3.env };
    const dataDirOf = (name: string) => join(dir!.path, name);
    const base: Record<string, string> = {
      ...storage,
      HOOKLINE_DATABASE_URL: db.target.url,
      HOOKLINE_LOG_LEVEL: "error",
      HOOKLINE_DEV: "1",
      HOOKLINE_POLL_MS: "250",
      HOOKLINE_LEASE_SECONDS: "2",
      HOOKLINE_RETRY_SCHEDULE: "1,1,1,1,1",
      HOOKLINE_CONCURRENCY: String(WORKER_CONCURRENCY),
      HOOKLINE_FFMPEG: spy.path,
      // Many tasks from one key in a few minutes.
      HOOKLINE_RATE_LIMIT: "0",
      HOOKLINE_MAX_UPLOADS_PER_KEY: "16",
    };
    const env = { ...base, HOOKLINE_PUBLIC_URL: proxy.origin };
    let started = 0;
    const own = (role: string) => ({ ...env, HOOKLINE_DATA_DIR: dataDirOf(`${role}-${++started}`) });
    const apis = await Promise.all(
      Array.from({ length: APIS }, () =>
        startHooklineProcess({ command: "api", env: own("api"), readyTimeoutMs: READY_MS }),
      ),
    );
    targets.push(...apis.map((a) => a.url));
    const startWorker = () =>
      startHooklineProcess({ command: "worker", env: own("worker"), readyTimeoutMs: READY_MS });
    const workers = await Promise.all(Array.from({ length: WORKERS }, startWorker));
    const key: CliKey = await createKeyWithCli(own("cli"), "many");
    const api = client(proxy.origin, key.apiKey);
    const setupMs = Date.now() - t0;

    const tracks = await Promise.all(
      [0.3, 0.5, 0.7].map((seconds) => makeAudio(dir!.path, { format: "flac", seconds })),
    );
    const bytes = await Promise.all(tracks.map((t) => readFile(t)));

    // The killer: at random points of the run's progress, SIGKILL a random worker and start another.
    const killedAt = new Map<number, number>();
    const marks = Array.from({ length: KILLS }, () =>
      Math.floor(MANY_TASKS * (0.05 + 0.85 * Math.random())),
    ).sort((a, b) => a - b);
    const settled = async () => {
      const r = await watch!.db
        .selectFrom("tasks")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("family", "=", "wav")
        .where("action", "is", null)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    };
    const killer = (async () => {
      for (const mark of marks) {
        await waitFor(
          `${mark} tasks settled`,
          async () => {
            if (ending) throw new Error("the test ended");
            return (await settled()) >= mark;
          },
          BUDGET_MS,
          100,
        );
        const i = Math.floor(Math.random() * workers.length);
        const victim = workers[i]!;
        killedAt.set(victim.pid, Date.now() * 1000);
        await victim.stop("SIGKILL");
        workers[i] = await startWorker();
      }
    })();
    killerDone = killer.catch(() => undefined);

    // Upload and submit, a few at a time, while the workers convert and the killer kills.
    const progress = setInterval(
      () =>
        void settled().then((s) =>
          process.stdout.write(
            `  ${Math.round((Date.now() - t0) / 1000)} s: ${s} settled, ${killedAt.size} kills\n`,
          ),
        ),
      10_000,
    );
    held.add(progress);
    const taskIds = await pool(
      Array.from({ length: MANY_TASKS }, (_, i) => i),
      6,
      async (i) => {
        const form = new FormData();
        form.set("uploadPath", "many");
        form.set("file", new Blob([bytes[i % bytes.length]!]), `t${i}.flac`);
        const up = await api.call("/api/file-stream-upload", { method: "POST", body: form });
        if (up.code !== 200) throw new Error(`upload ${i}: ${JSON.stringify(up)}`);
        const gen = await api.call("/api/v1/wav/generate", {
          json: { audioId: up.data.audioId, callBackUrl: `${receiver!.origin}/hook/${i}` },
        });
        if (gen.code !== 200) throw new Error(`generate ${i}: ${JSON.stringify(gen)}`);
        return String(gen.data.taskId);
      },
    );
    const submittedMs = Date.now() - t0;
    await waitFor(
      "every task settled",
      async () => ((await settled()) === MANY_TASKS ? true : undefined),
      BUDGET_MS,
      250,
    );
    await killer;
    clearInterval(progress);
    const taskSet = new Set(taskIds);
    const delivered = () => new Set(receiver!.requests.map((r) => r.url)).size;
    await waitFor("every callback", () => (delivered() === MANY_TASKS ? true : undefined), 300_000, 250);
    const doneMs = Date.now() - t0;

    // Exactly once, by the database: every task SUCCESS, one WAV row each, one message each.
    const rows = await watch.db
      .selectFrom("tasks")
      .select(["id", "status"])
      .where("family", "=", "wav")
      .execute();
    expect(rows).toHaveLength(MANY_TASKS);
    expect(rows.filter((r) => r.status !== "SUCCESS")).toEqual([]);
    const files = await watch.db
      .selectFrom("files")
      .select(["id", "path", "deleted_at"])
      .where("kind", "=", "wav")
      .execute();
    const perTask = new Map<string, number>();
    for (const f of files) {
      const id = f.path.split("/")[1] ?? "";
      perTask.set(id, (perTask.get(id) ?? 0) + 1);
    }
    expect([...taskSet].filter((id) => perTask.get(id) !== 1)).toEqual([]);
    expect(files).toHaveLength(MANY_TASKS);

    // Every callback: signed, about one of our tasks; all deliveries of a task carry its one webhook-id.
    const idsByTask = new Map<string, Set<string>>();
    const urlByTask = new Map<string, string>();
    for (const r of receiver.requests) {
      expect(signedStandard(key.webhookHmacKey, r.body, r.headers), header(r.headers, "webhook-id")).toBe(
        true,
      );
      const body = JSON.parse(r.body) as { taskId: string; code: number; data: { audioWavUrl: string } };
      expect(taskSet.has(body.taskId), body.taskId).toBe(true);
      expect(body.code).toBe(200);
      idsByTask.set(
        body.taskId,
        (idsByTask.get(body.taskId) ?? new Set()).add(header(r.headers, "webhook-id")),
      );
      urlByTask.set(body.taskId, body.data.audioWavUrl);
    }
    expect(idsByTask.size).toBe(MANY_TASKS);
    expect([...idsByTask].filter(([, ids]) => ids.size !== 1)).toEqual([]);
    const duplicates = receiver.requests.length - MANY_TASKS;

    // No file lost: every result's link downloads a valid WAV (through the public URL, from either API process).
    const bad = (
      await pool([...urlByTask], 8, async ([taskId, url]) => {
        const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
        if (res.status !== 200) return `${taskId}: HTTP ${res.status}`;
        try {
          const wav = parseWav(Buffer.from(await res.arrayBuffer()));
          return wav.sampleRate === 44_100 && wav.data.length > 0 ? null : `${taskId}: ${wav.sampleRate} Hz`;
        } catch (error) {
          return `${taskId}: ${(error as Error).message}`;
        }
      })
    ).filter((x) => x !== null);
    expect(bad).toEqual([]);

    // No source converted by two workers at once. A killed worker's conversions end when it was killed at the
    // latest (the spy logs the end itself; the kill time closes any it could not).
    const intervals = await spy.intervals();
    const endOf = (pid: number) => killedAt.get(pid);
    expect(overlaps(intervals, endOf)).toEqual([]);
    const workerPids = new Set(intervals.map((x) => x.pid));

    // Stop everything, then look for blobs no row references. A kill between a blob's write and the commit of
    // its row leaves one (the reconciler's grace period exists for this): at most one per conversion in flight
    // per kill, and the reconciler removes them.
    for (const p of [...workers, ...apis]) await p.stop("SIGTERM");
    const bucket = await openS3BlobStore({
      scratchRoot: dataDirOf("check"),
      s3: s3Settings(s3),
      log: silentLogger,
    });
    const strays = await strayObjects(bucket, watch);
    expect(strays.length).toBeLessThanOrEqual(KILLS * WORKER_CONCURRENCY);
    const reconciler = createBlobReconciler(watch, bucket, { graceMs: 0, blobsPerPass: MANY_TASKS * 4 });
    // A pass looks at one listing page (S3 answers at most 1,000 keys), so walk the whole bucket once.
    while (!(await reconciler.pass(Date.now())).wrapped);
    expect(await strayObjects(bucket, watch)).toEqual([]);
    await bucket.close();
    const summary = {
      tasks: MANY_TASKS,
      kills: killedAt.size,
      conversions: intervals.length,
      reruns: intervals.length - MANY_TASKS,
      workerPids: workerPids.size,
      maxConcurrentConversions: maxConcurrency(intervals, endOf),
      callbacks: receiver.requests.length,
      duplicateDeliveries: duplicates,
      strayBlobsAfterKills: strays.length,
      setupSeconds: Math.round(setupMs / 1000),
      submittedSeconds: Math.round(submittedMs / 1000),
      doneSeconds: Math.round(doneMs / 1000),
    };
    process.stdout.write(`\nmany-processes: ${JSON.stringify(summary)}\n`);
    expect(killedAt.size).toBe(KILLS);
  });
});
