/**
 * Lease takeovers as /metrics shows them (a task left under a dead worker's lease: `stalled`, then taken over and
 * counted), and the metrics-only listener a worker (no API) serves when HOOKLINE_METRICS_PORT is set. On SQLite
 * and PostgreSQL.
 */
import { readFile } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runnerOptions } from "../../src/app/index.js";
import { FAMILIES } from "../../src/families/index.js";
import { createRunner, type Family, type Runner } from "../../src/tasks/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { type Scrape, scrape } from "./scrape.js";

const TOKEN = "takeover-token";

describe.each(dialects())("lease takeovers on %s", (dialect) => {
  let h: TestHookline;
  let db: TestDb;
  let dir: TmpDir;
  let ok: Receiver;
  let runner: Runner | null = null;

  const read = async (base: string): Promise<Scrape> => {
    const { res, scrape: s } = await scrape(base, TOKEN);
    expect(res.status).toBe(200);
    if (!s) throw new Error("no scrape");
    return s;
  };

  beforeAll(async () => {
    dir = await tmpDir("takeover");
    ok = await startReceiver((_req, res) => res.writeHead(200).end("ok"));
    db = await freshDatabase(dialect);
    // No runner in this process: the test plays the dead worker, then starts a runner of its own.
    h = await startTestHookline({
      database: db.target,
      roles: { runner: false },
      env: { HOOKLINE_METRICS_TOKEN: TOKEN, HOOKLINE_METRICS_PORT: "0" },
    });
  });

  afterAll(async () => {
    await runner?.stop();
    await h?.stop();
    await ok?.close();
    await db?.drop();
    await dir?.cleanup();
  });

  it("shows a task under an expired lease as stalled, and counts the claim that takes it over", async () => {
    const form = new FormData();
    form.set("uploadPath", "music");
    form.set(
      "file",
      new Blob([await readFile(await makeAudio(dir.path, { format: "mp3", seconds: 1 }))]),
      "a.mp3",
    );
    const up = await h.call("/api/file-stream-upload", { method: "POST", body: form });
    const gen = await h.call("/api/v1/wav/generate", {
      json: { audioId: up.data.audioId, callBackUrl: `${ok.origin}/cb` },
    });
    expect(gen.code).toBe(200);
    const taskId: string = gen.data.taskId;

    const due = await read(h.url);
    expect(due.value("hookline_tasks_queued", { family: "wav", state: "due" })).toBe(1);
    expect(due.value("hookline_oldest_due_seconds", { queue: "tasks" })).toBeGreaterThanOrEqual(0);

    // A worker claimed it and died: its lease ran out a minute ago and nobody gave the task back.
    const { store } = h.running.services;
    const expired = Date.now() - 60_000;
    await store.db
      .updateTable("tasks")
      .set({ lease_owner: "dead-worker", lease_until: expired, runs: 1 })
      .where("id", "=", taskId)
      .execute();
    const stalled = await read(h.url);
    expect(stalled.value("hookline_tasks_queued", { family: "wav", state: "stalled" })).toBe(1);
    expect(stalled.all("hookline_tasks_queued", { state: "due" })).toEqual([]);
    expect(stalled.value("hookline_lease_takeovers_total", { queue: "tasks" })).toBe(0);

    const { services } = h.running;
    const families = new Map<string, Family>(
      FAMILIES.map((make) => make(services).family).map((f) => [f.name, f]),
    );
    runner = createRunner(runnerOptions(services, families, "test-runner"));
    runner.start();
    const after = await waitFor(
      "the task to be taken over and converted",
      async () => {
        const s = await read(h.url);
        return s.all("hookline_tasks_queued").length === 0 &&
          s.value("hookline_task_run_seconds_count", { family: "wav", outcome: "succeeded" }) === 1
          ? s
          : undefined;
      },
      { timeoutMs: 30_000 },
    );
    // Stopped within the test that started it (the leak check runs after each test).
    await runner.stop();
    runner = null;
    expect(after.value("hookline_lease_takeovers_total", { queue: "tasks" })).toBe(1);
    const record = await h.call(`/api/v1/wav/record-info?taskId=${taskId}`);
    expect(record.data.successFlag).toBe("SUCCESS");
  });

  it("serves the same registry on the metrics-only listener, behind the same token", async () => {
    const base = h.running.metricsUrl;
    if (base === null) throw new Error("HOOKLINE_METRICS_PORT was set: a listener should run");
    expect(base).not.toBe(h.url);
    expect((await scrape(base)).res.status).toBe(401);
    const s = await read(base);
    expect(s.value("hookline_lease_takeovers_total", { queue: "tasks" })).toBe(1);
    expect((await fetch(`${base}/other`)).status).toBe(404);
  });
});

describe.each(dialects())("a worker's metrics on %s", (dialect) => {
  let worker: TestHookline | null = null;
  let db: TestDb | null = null;
  afterEach(async () => {
    await worker?.stop();
    await db?.drop();
    worker = db = null;
  });

  it("has no API but serves /metrics on HOOKLINE_METRICS_PORT, open when no token is set", async () => {
    db = await freshDatabase(dialect);
    worker = await startTestHookline({
      database: db.target,
      roles: { api: false },
      env: { HOOKLINE_METRICS_PORT: "0" },
    });
    expect(worker.running.url).toBeNull();
    const base = worker.running.metricsUrl;
    if (base === null) throw new Error("no metrics listener");
    const { res, scrape: s } = await scrape(base);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(s?.value("hookline_lease_takeovers_total", { queue: "tasks" })).toBe(0);
    expect(s?.value("hookline_oldest_due_seconds", { queue: "tasks" })).toBe(0);
    expect(s?.value("hookline_process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("has no listener without HOOKLINE_METRICS_PORT", async () => {
    db = await freshDatabase(dialect);
    worker = await startTestHookline({ database: db.target, roles: { api: false } });
    expect(worker.running.metricsUrl).toBeNull();
  });
});
