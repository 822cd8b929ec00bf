/**
 * Reconnects on PostgreSQL: a running Hookline (a worker and an API-only process, in this process) whose
 * database connections are all cut (`pg_terminate_backend`) several times while tasks are in flight, then kept
 * out for a while (connections refused) until the runner has to give up a lease. Both stay up (no unhandled
 * 'error' from a pg client), every task succeeds exactly once with its one file and its callback, no source is
 * converted twice at the same time (seen by an ffmpeg spy, outside the engine), and after the outage a NOTIFY sent
 * by the other process still wakes the worker: its listener kept retrying until the database was back.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio } from "../helpers/audio.js";
import { failOnUncaught } from "../helpers/crashes.js";
import { freshDatabase, type TestDb } from "../helpers/db.js";
import { POSTGRES_URL } from "../helpers/env.js";
import { type FfmpegSpy, ffmpegSpy, overlaps } from "../helpers/ffmpeg-spy.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";

const TASKS = 24;
const CUTS = 3;

if (!POSTGRES_URL) {
  process.stderr.write(
    "\n*** HOOKLINE_TEST_DATABASE_URL is not set: test/store/reconnect.test.ts (PostgreSQL only) is SKIPPED. ***\n\n",
  );
}

/** A logger whose lines the test reads (the worker's warnings say when it gave a lease up, when wake-ups came back). */
function capturingLogger() {
  const lines: { msg: string; [key: string]: unknown }[] = [];
  const log = pino(
    { level: "info" },
    {
      write(line: string) {
        lines.push(JSON.parse(line) as { msg: string });
      },
    },
  );
  const count = (text: string) => lines.filter((l) => l.msg.includes(text)).length;
  return { log, lines, count };
}

describe.skipIf(!POSTGRES_URL)("PostgreSQL connections cut under a running Hookline", () => {
  failOnUncaught();
  let db: TestDb;
  let dir: string;
  let admin: pg.Client;
  let receiver: Receiver;
  let spy: FfmpegSpy;
  let worker: TestHookline | null = null;
  let api: TestHookline | null = null;
  const workerLog = capturingLogger();

  beforeAll(async () => {
    db = await freshDatabase("postgres");
    if (db.target.kind !== "postgres") throw new Error("expected PostgreSQL");
    dir = await mkdtemp(join(tmpdir(), "hookline-reconnect-"));
    admin = new pg.Client({ connectionString: db.target.url });
    await admin.connect();
    receiver = await startReceiver((_req, res) => res.end("ok"));
    // Each conversion takes at least 1 s, so that cuts land while tasks are in flight.
    spy = await ffmpegSpy(dir, { delayS: 1 });
    const env = {
      HOOKLINE_DATA_DIR: join(dir, "data"),
      HOOKLINE_FFMPEG: spy.path,
      HOOKLINE_LEASE_SECONDS: "6",
      HOOKLINE_POLL_MS: "200",
      HOOKLINE_CONCURRENCY: "2",
      HOOKLINE_RETRY_SCHEDULE: "1,1,1",
      HOOKLINE_PUBLIC_URL: "http://127.0.0.1:1",
    };
    worker = await startTestHookline({
      database: db.target,
      env,
      roles: { api: false, runner: true, sender: true },
      log: workerLog.log,
    });
    api = await startTestHookline({
      database: db.target,
      env,
      roles: { api: true, runner: false, sender: false },
    });
  });

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    await setConnections(true).catch(() => undefined);
    await admin?.end();
    await receiver?.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Terminates every connection to the test database but the admin's own; answers how many it cut. */
  async function cut(): Promise<number> {
    const r = await admin.query<{ n: string }>(
      `select count(pg_terminate_backend(pid))::text as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid()`,
    );
    return Number(r.rows[0]?.n ?? 0);
  }

  /** Refuses or allows new connections to the test database (from another database: not allowed from inside). */
  async function setConnections(allow: boolean): Promise<void> {
    const server = new pg.Client({ connectionString: POSTGRES_URL });
    await server.connect();
    try {
      await server.query(`alter database "${dbName()}" allow_connections ${allow}`);
    } finally {
      await server.end();
    }
  }
  const dbName = () => (db.target.kind === "postgres" ? new URL(db.target.url).pathname.slice(1) : "");

  const settled = async () => {
    const r = await admin.query<{ n: string }>(
      "select count(*)::text as n from tasks where family = 'wav' and action is null",
    );
    return Number(r.rows[0]?.n ?? 0);
  };

  it("stays up, loses nothing, does nothing twice at once, and wakes on NOTIFY afterwards", {
    timeout: 600_000,
  }, async () => {
    const h = api!;
    const track = await makeAudio(dir, { format: "flac", seconds: 0.5 });
    const audioIds: string[] = [];
    for (let i = 0; i < TASKS; i++) {
      const form = new FormData();
      form.set("uploadPath", "reconnect");
      form.set("file", new Blob([await readFile(track)]), `t${i}.flac`);
      const up = await h.call("/api/file-stream-upload", { method: "POST", body: form });
      expect(up.code, JSON.stringify(up)).toBe(200);
      audioIds.push(up.data.audioId);
    }
    // All submitted at once, so that the work outlasts the cuts below.
    const taskIds = await Promise.all(
      audioIds.map(async (audioId, i) => {
        const gen = await h.call("/api/v1/wav/generate", {
          json: { audioId, callBackUrl: `${receiver.origin}/hook/${i}` },
        });
        expect(gen.code, JSON.stringify(gen)).toBe(200);
        return String(gen.data.taskId);
      }),
    );

    // Momentary cuts while tasks run: each one drops the listener, which must come back by itself. The first
    // comes while a transaction holds its connection idle (checked out of the pool): pg then emits 'error' on a
    // client that no pool listens to, which ended the process before.
    for (let i = 1; i <= CUTS; i++) {
      await waitFor("a task in flight", async () => (await spy.intervals()).some((x) => x.end === null), {
        timeoutMs: 30_000,
        intervalMs: 10,
      });
      if (i === 1) {
        const open = worker!.running.services.store.transact(async (trx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
          expect(await cut()).toBeGreaterThan(0);
          await waitFor("the held connection's backend to end", async () => {
            const r = await admin.query("select 1 from pg_stat_activity where pid = $1", [rows[0]?.pid]);
            return r.rowCount === 0;
          });
          await sql`select 1`.execute(trx);
        });
        await expect(open).rejects.toThrow();
      } else {
        expect(await cut()).toBeGreaterThan(0);
      }
      await waitFor(
        `wake-ups restored after cut ${i}`,
        () => workerLog.count("cross-process wake-ups restored") >= i,
        {
          timeoutMs: 30_000,
        },
      );
    }

    // An outage: connections refused until the runner had to give up a task whose lease it could not renew.
    await waitFor("a task in flight", async () => (await spy.intervals()).some((x) => x.end === null), {
      timeoutMs: 30_000,
      intervalMs: 10,
    });
    await setConnections(false);
    await cut();
    try {
      await waitFor("the runner to give up a lease", () => workerLog.count("lease about to run out") > 0, {
        timeoutMs: 30_000,
      });
    } finally {
      await setConnections(true);
    }
    // The listener kept trying through the outage (the old one tried once, a second after the cut).
    const restored = await waitFor(
      "wake-ups restored after the outage",
      () => workerLog.lines.filter((l) => l.msg === "cross-process wake-ups restored")[CUTS],
      { timeoutMs: 60_000 },
    );
    expect(Number(restored.attempts)).toBeGreaterThanOrEqual(2);
    expect(workerLog.count("cross-process wake-ups interrupted")).toBe(CUTS + 1);

    await waitFor("every task settled", async () => (await settled()) === TASKS, { timeoutMs: 90_000 });
    await waitFor("every callback", () => new Set(receiver.requests.map((r) => r.url)).size === TASKS, {
      timeoutMs: 60_000,
      state: () => receiver.requests.length,
    });

    // Exactly once, as the database and the files show it.
    const tasks = await admin.query<{ id: string; status: string }>(
      "select id, status from tasks where family = 'wav' order by id",
    );
    expect(tasks.rows.map((t) => t.status)).toEqual(taskIds.map(() => "SUCCESS"));
    const files = await admin.query<{ path: string }>("select path from files where kind = 'wav'");
    const perTask = new Map<string, number>();
    for (const f of files.rows) {
      const id = f.path.split("/")[1] ?? "";
      perTask.set(id, (perTask.get(id) ?? 0) + 1);
    }
    for (const id of taskIds) expect(perTask.get(id), id).toBe(1);
    const messages = await admin.query<{ task_id: string }>("select task_id from messages");
    expect(messages.rows.map((m) => m.task_id).sort()).toEqual([...taskIds].sort());
    // Duplicate deliveries (a cut between the POST and its record) carry the message's one webhook-id.
    const idsByPath = new Map<string, Set<string>>();
    for (const r of receiver.requests) {
      const set = idsByPath.get(r.url) ?? new Set<string>();
      set.add(String(r.headers["webhook-id"]));
      idsByPath.set(r.url, set);
    }
    for (const [path, ids] of idsByPath) expect(ids.size, path).toBe(1);

    // Nothing converted twice at the same time (one process here: a given-up run ends before another starts).
    const intervals = await spy.intervals();
    expect(intervals.every((x) => x.end !== null)).toBe(true);
    const bySource = new Map<string, typeof intervals>();
    for (const x of intervals) bySource.set(x.source, [...(bySource.get(x.source) ?? []), x]);
    for (const list of bySource.values()) {
      for (let i = 1; i < list.length; i++) expect(list[i]!.start).toBeGreaterThanOrEqual(list[i - 1]!.end!);
    }
    expect(overlaps(intervals)).toEqual([]);

    // A NOTIFY from another connection wakes the idle worker. The waiter below is woken by nothing else (the
    // runner's own polls end their own waits only), and would otherwise wait ten minutes.
    const woken = { yes: false };
    void worker!.running.services.tasks.wait(600_000).then(() => {
      woken.yes = true;
    });
    await admin.query("select pg_notify('hookline_tasks', '')");
    await waitFor("the worker woken by a NOTIFY from another connection", () => woken.yes, {
      timeoutMs: 10_000,
    });
  });
});
