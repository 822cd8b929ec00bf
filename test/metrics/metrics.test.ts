/**
 * GET /metrics of a real server: real WAV conversions with callbacks to real receivers (one answering 200, one
 * 500), a callback refused by the outbound guard, a failing blob store call; the scrape is parsed and its values
 * checked before and after. On SQLite and PostgreSQL.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { type Scrape, scrape } from "./scrape.js";

const TOKEN = "metrics-token-for-tests";

describe.each(dialects())("GET /metrics on %s", (dialect) => {
  let h: TestHookline;
  let db: TestDb;
  let dir: TmpDir;
  let ok: Receiver;
  let failing: Receiver;
  let mp3: string;
  let before: Scrape;

  const read = async (): Promise<Scrape> => {
    const { res, scrape: s } = await scrape(h.url, TOKEN);
    expect(res.status).toBe(200);
    if (!s) throw new Error("no scrape");
    return s;
  };

  /** Uploads the tone and answers its audioId (one WAV per track: each conversion needs its own upload). */
  const upload = async (): Promise<string> => {
    const form = new FormData();
    form.set("uploadPath", "music");
    form.set("file", new Blob([await readFile(mp3)]), "tone.mp3");
    const up = await h.call("/api/file-stream-upload", { method: "POST", body: form });
    expect(up.success).toBe(true);
    return up.data.audioId;
  };

  beforeAll(async () => {
    dir = await tmpDir("metrics");
    mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
    ok = await startReceiver((_req, res) => res.writeHead(200).end("ok"));
    failing = await startReceiver((_req, res) => res.writeHead(500).end("no"));
    db = await freshDatabase(dialect);
    h = await startTestHookline({
      database: db.target,
      env: {
        // The guard is on (no --dev); only the test's receivers on 127.0.0.1 are opened.
        HOOKLINE_DEV: "0",
        HOOKLINE_ALLOW_HOSTS: "127.0.0.1",
        HOOKLINE_METRICS_TOKEN: TOKEN,
        // One retry 50 ms later: the failing receiver sees two attempts, then the callback is given up.
        HOOKLINE_RETRY_SCHEDULE: "0.05",
      },
    });
    before = await read();
  });

  afterAll(async () => {
    await h?.stop();
    await ok?.close();
    await failing?.close();
    await db?.drop();
    await dir?.cleanup();
  });

  it("asks for the token: 401 without it or with another, 200 with it, in Prometheus' text format", async () => {
    expect((await scrape(h.url)).res.status).toBe(401);
    expect((await scrape(h.url, "wrong")).res.status).toBe(401);
    const { res } = await scrape(h.url, TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it("is not in the OpenAPI document", async () => {
    const doc = (await (await fetch(`${h.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).not.toContain("/metrics");
    expect(Object.keys(doc.paths)).toContain("/api/v1/wav/generate");
  });

  it("starts empty, with the process metrics of this instance", () => {
    expect(before.all("hookline_tasks_queued")).toEqual([]);
    expect(before.all("hookline_outbox_messages")).toEqual([]);
    expect(before.value("hookline_callback_attempts_total", { class: "2xx" })).toBe(0);
    expect(before.value("hookline_callback_attempts_total", { class: "5xx" })).toBe(0);
    expect(before.value("hookline_lease_takeovers_total", { queue: "tasks" })).toBe(0);
    expect(before.value("hookline_oldest_due_seconds", { queue: "messages" })).toBe(0);
    expect(before.value("hookline_process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(before.value("hookline_process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(before.value("hookline_nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
    expect(before.value("hookline_process_open_fds")).toBeGreaterThan(0);
  });

  it("counts conversions, deliveries, retries, a refusal and a storage error, and shows the queues", async () => {
    // Refused by the guard at submission: 10.0.0.0/8 is private and not opened.
    const track = await upload();
    const refused = await h.call("/api/v1/wav/generate", {
      json: { audioId: track, callBackUrl: "http://10.1.2.3/hook" },
    });
    expect(refused.code).toBe(400);

    // Held back an hour by a simulated delay: it stays queued as `scheduled` through the whole test.
    const held = await h.call("/api/v1/wav/generate", {
      json: { audioId: await upload(), callBackUrl: `${ok.origin}/held` },
      headers: { "Hookline-Simulate": "delay=3600" },
    });
    expect(held.code).toBe(200);
    const queued = await read();
    expect(queued.value("hookline_tasks_queued", { family: "wav", state: "scheduled" })).toBe(1);
    expect(queued.sum("hookline_tasks_queued", { state: "due" })).toBe(0);

    for (const [audioId, url] of [
      [track, `${ok.origin}/cb`],
      [await upload(), `${failing.origin}/cb`],
    ] as const) {
      const gen = await h.call("/api/v1/wav/generate", { json: { audioId, callBackUrl: url } });
      expect(gen.code).toBe(200);
    }
    const after = await waitFor(
      "one callback delivered and one given up, as the outbox shows",
      async () => {
        const s = await read();
        const delivered = s.value("hookline_outbox_messages", { state: "delivered" });
        const failed = s.value("hookline_outbox_messages", { state: "failed" });
        return delivered === 1 && failed === 1 ? s : undefined;
      },
      { timeoutMs: 30_000, state: () => ({ ok: ok.requests.length, failing: failing.requests.length }) },
    );
    expect(ok.requests).toHaveLength(1);
    expect(failing.requests).toHaveLength(2);

    expect(after.value("hookline_callback_attempts_total", { class: "2xx" })).toBe(1);
    expect(after.value("hookline_callback_attempts_total", { class: "5xx" })).toBe(2);
    expect(after.value("hookline_callback_attempts_total", { class: "timeout" })).toBe(0);
    // Attempts per finished delivery: 1 for the delivered one, 2 for the one given up.
    expect(after.value("hookline_callback_attempts_per_delivery_count", { outcome: "delivered" })).toBe(1);
    expect(after.value("hookline_callback_attempts_per_delivery_sum", { outcome: "delivered" })).toBe(1);
    expect(after.value("hookline_callback_attempts_per_delivery_count", { outcome: "failed" })).toBe(1);
    expect(after.value("hookline_callback_attempts_per_delivery_sum", { outcome: "failed" })).toBe(2);
    expect(
      after.value("hookline_callback_attempts_per_delivery_bucket", { outcome: "failed", le: "1" }),
    ).toBe(0);
    expect(
      after.value("hookline_callback_attempts_per_delivery_bucket", { outcome: "failed", le: "2" }),
    ).toBe(1);
    // Completion → first 2xx: one observation, and a real duration.
    expect(after.value("hookline_callback_delivery_seconds_count")).toBe(1);
    expect(after.value("hookline_callback_delivery_seconds_sum")).toBeGreaterThanOrEqual(0);
    // Two conversions ran and succeeded (the held one has not run).
    expect(after.value("hookline_task_run_seconds_count", { family: "wav", outcome: "succeeded" })).toBe(2);
    expect(
      after.value("hookline_task_run_seconds_sum", { family: "wav", outcome: "succeeded" }),
    ).toBeGreaterThan(0);
    expect(after.all("hookline_task_run_seconds_count", { outcome: "failed" })).toEqual([]);
    expect(after.value("hookline_outbound_refusals_total", { reason: "address" })).toBe(1);
    // Queues after: only the held task; nothing due, nothing pending in the outbox.
    expect(after.value("hookline_tasks_queued", { family: "wav", state: "scheduled" })).toBe(1);
    expect(after.all("hookline_tasks_queued").length).toBe(1);
    expect(after.all("hookline_outbox_messages").length).toBe(2);
    expect(after.value("hookline_oldest_due_seconds", { queue: "tasks" })).toBe(0);
    expect(after.value("hookline_lease_takeovers_total", { queue: "tasks" })).toBe(0);

    // A blob store call that fails (a temp file that is not there) counts under its operation.
    expect(after.all("hookline_storage_errors_total")).toEqual([]);
    await expect(h.running.services.blobs.commit(join(dir.path, "missing.wav"))).rejects.toThrow();
    const broken = await read();
    expect(broken.value("hookline_storage_errors_total", { operation: "commit" })).toBe(1);
  });
});
