/**
 * Scale-out: one `hookline serve` and two `hookline worker` processes on one database (SQLite file, and
 * PostgreSQL when HOOKLINE_TEST_DATABASE_URL is set) and one data folder. Every task is claimed exactly once
 * (no task runs in two processes at the same time), every callback is delivered once, and the workers do share
 * the work.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openStore, type StoreTarget } from "../../src/store/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import { createKeyWithCli, killAllChildren, startHooklineProcess } from "../helpers/process.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import {
  client,
  generateWav,
  header,
  parseWav,
  uploadTrack,
  verifyReseller,
  waitFor,
  waitForWavRecord,
} from "./support.js";

const TASKS = 12;

function databaseUrl(target: StoreTarget): string {
  return target.kind === "postgres" ? target.url : `sqlite:${target.path}`;
}

describe.each(dialects())("scale-out on %s: serve + 2 workers", (dialect) => {
  let dir: TmpDir | null = null;
  let db: TestDb | null = null;
  let receiver: Receiver | null = null;

  // The one test makes everything it uses, so all of it ends with the test.
  afterEach(async () => {
    await killAllChildren();
    await receiver?.close();
    await db?.drop();
    await dir?.cleanup();
  });

  it("processes every task once and delivers every callback", { timeout: 120_000 }, async () => {
    dir = await tmpDir(`e2e-multi-${dialect}`);
    db = await freshDatabase(dialect);
    receiver = await startReceiver((_req, res) => res.end("ok"));
    const env = {
      HOOKLINE_DATA_DIR: `${dir.path}/data`,
      HOOKLINE_DATABASE_URL: databaseUrl(db.target),
      HOOKLINE_LOG_LEVEL: "warn",
      HOOKLINE_DEV: "1",
      HOOKLINE_POLL_MS: "50",
      HOOKLINE_CONCURRENCY: "2",
    };
    const files = await Promise.all(
      [8, 12].map((seconds) => makeAudio(dir!.path, { format: "flac", seconds })),
    );
    // The API process takes one task at a time, so the workers must take part.
    const server = await startHooklineProcess({ env: { ...env, HOOKLINE_CONCURRENCY: "1" } });
    // Workers serve no API, so the links they sign must name the API process's public URL.
    const workerEnv = { ...env, HOOKLINE_PUBLIC_URL: server.publicUrl };
    const workers = await Promise.all([
      startHooklineProcess({ command: "worker", env: workerEnv }),
      startHooklineProcess({ command: "worker", env: workerEnv }),
    ]);
    const key = await createKeyWithCli(env, `multi-${dialect}`);
    const api = client(server.url, key.apiKey);

    const tracks: string[] = [];
    for (let i = 0; i < TASKS; i++) tracks.push((await uploadTrack(api, files[i % files.length]!)).audioId);

    // Watch who holds leases while the work runs (lease owners are `host:pid:token`).
    const watch = await openStore(db.target);
    const ownersSeen = new Set<number>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const rows = await watch.db
          .selectFrom("tasks")
          .select("lease_owner")
          .where("lease_owner", "is not", null)
          .execute();
        for (const r of rows) {
          const pid = /:(\d+):[^:]+$/.exec(r.lease_owner ?? "")?.[1];
          if (pid) ownersSeen.add(Number(pid));
        }
        await new Promise((r) => setTimeout(r, 15));
      }
    })();

    const taskIds: string[] = [];
    try {
      for (const [i, audioId] of tracks.entries()) {
        taskIds.push(await generateWav(api, audioId, `${receiver.origin}/hook/${i}`));
      }
      for (const id of taskIds) {
        const rec = await waitForWavRecord(api, id, 60_000);
        expect(rec.data.status, JSON.stringify(rec.data)).toBe("SUCCESS");
      }
      await waitFor("every callback", () => (receiver!.requests.length >= TASKS ? true : undefined), 30_000);
    } finally {
      watching = false;
      await watcher;
    }

    // Exactly once: each task claimed once, one outbox message each, one POST each.
    const rows = await watch.db
      .selectFrom("tasks")
      .select(["id", "runs"])
      .where("family", "=", "wav")
      .execute();
    const messages = await watch.db.selectFrom("messages").select(["id", "task_id", "state"]).execute();
    await watch.close();
    expect(rows).toHaveLength(TASKS);
    for (const r of rows) expect(Number(r.runs), r.id).toBe(1);
    expect(messages).toHaveLength(TASKS);
    expect(new Set(messages.map((m) => m.task_id))).toEqual(new Set(taskIds));
    await waitFor(
      "every message marked delivered",
      async () => {
        const states = await Promise.all(
          taskIds.map(async (id) => (await api.call(`/api/v1/hookline/tasks/${id}/deliveries`)).data),
        );
        return states.every((s) => s.messages[0]?.state === "delivered" && s.attempts.length === 1)
          ? true
          : undefined;
      },
      15_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(TASKS);
    const ids = receiver.requests.map((r) => header(r.headers, "webhook-id"));
    expect(new Set(ids).size).toBe(TASKS);
    for (const r of receiver.requests) {
      const body = JSON.parse(r.body) as { taskId: string; data: { audioWavUrl: string } };
      expect(taskIds).toContain(body.taskId);
      expect(verifyReseller(key.webhookHmacKey, body.taskId, r.headers)).toBe(true);
    }

    // A worker wrote the file; the API process serves it from the shared data folder.
    const first = JSON.parse(receiver.requests[0]!.body) as { data: { audioWavUrl: string } };
    const res = await fetch(first.data.audioWavUrl, { signal: AbortSignal.timeout(30_000) });
    expect(res.status).toBe(200);
    expect(parseWav(Buffer.from(await res.arrayBuffer())).sampleRate).toBe(44_100);

    // The workers took part (the API process alone holds at most one lease at a time).
    const workerPids = new Set(workers.map((w) => w.pid));
    expect(
      [...ownersSeen].some((pid) => workerPids.has(pid)),
      `lease owners seen: ${[...ownersSeen]}`,
    ).toBe(true);

    for (const p of [server, ...workers]) {
      const exit = await p.stop("SIGTERM", 10_000);
      expect(exit.code, p.output()).toBe(0);
    }
  });
});
