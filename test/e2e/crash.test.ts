/**
 * Crash: `kill -9` the real server while tasks are leased and callbacks are mid-POST, restart it on the same data
 * folder, and check DESIGN invariant 2 from the outside: every accepted task succeeds, every callback arrives at
 * least once (duplicates carry the same webhook-id), and the dead process's work is taken over within about one
 * lease, not hours.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import type { Envelope } from "../helpers/hookline.js";
import {
  type CliKey,
  createKeyWithCli,
  type HooklineProcess,
  killAllChildren,
  startHooklineProcess,
} from "../helpers/process.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import {
  type Client,
  client,
  generateWav,
  header,
  uploadTrack,
  verifyStandard,
  waitFor,
  waitForWavRecord,
} from "./support.js";

const TASKS = 12;
const HOLD_MS = 1_500;

describe("crash: SIGKILL mid-work, restart, nothing lost", () => {
  let dir: TmpDir;
  let receiver: Receiver;
  let server: HooklineProcess | null = null;
  let env: Record<string, string>;
  let key: CliKey;
  const held = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    dir = await tmpDir("e2e-crash");
    let n = 0;
    // Every other request is answered only after HOLD_MS, so some callbacks are mid-POST when the server dies.
    receiver = await startReceiver((_req, res) => {
      if (n++ % 2 === 0) return void res.end("ok");
      const t = setTimeout(() => {
        held.delete(t);
        if (!res.destroyed) res.end("ok");
      }, HOLD_MS);
      held.add(t);
    });
    env = {
      HOOKLINE_DATA_DIR: `${dir.path}/data`,
      HOOKLINE_LOG_LEVEL: "warn",
      HOOKLINE_DEV: "1",
      HOOKLINE_LEASE_SECONDS: "2",
      HOOKLINE_RETRY_SCHEDULE: "1,1,1",
      HOOKLINE_CONCURRENCY: "2",
      HOOKLINE_POLL_MS: "100",
      // A callback's lease is the receiver timeout + 5 s (sender.ts), so this bounds its takeover at ~8 s.
      HOOKLINE_CALLBACK_TIMEOUT: "3",
    };
  });

  afterAll(async () => {
    await killAllChildren();
    for (const t of held) clearTimeout(t);
    await receiver?.close();
    await dir?.cleanup();
  });

  it("takes over leased tasks and in-flight callbacks after a restart", { timeout: 120_000 }, async () => {
    const lengths = [20, 30, 40];
    const files = await Promise.all(
      lengths.map((seconds) => makeAudio(dir.path, { format: "flac", seconds })),
    );
    server = await startHooklineProcess({ env });
    key = await createKeyWithCli(env, "crash");
    let api: Client = client(server.url, key.apiKey);

    // Uploads first, then the conversions back to back, so the queue is full when the server dies.
    const tracks: string[] = [];
    for (let i = 0; i < TASKS; i++) tracks.push((await uploadTrack(api, files[i % files.length]!)).audioId);
    const taskIds: string[] = [];
    for (const [i, audioId] of tracks.entries()) {
      taskIds.push(await generateWav(api, audioId, `${receiver.origin}/hook/${i}`));
    }

    // Some callbacks answered, one held mid-POST: now.
    await waitFor(
      "a delivered callback and one in flight",
      () => (receiver.requests.length >= 2 && held.size > 0 ? true : undefined),
      60_000,
      10,
    );
    const killed = await server.stop("SIGKILL");
    expect(killed.signal).toBe("SIGKILL");
    const receivedBeforeKill = receiver.requests.length;

    // What the dead process held: tasks it had claimed and not finished, callbacks it was sending.
    const store = await openStore({ kind: "sqlite", path: `${env.HOOKLINE_DATA_DIR}/hookline.db` });
    const now = Date.now();
    const leasedTasks = await store.db
      .selectFrom("tasks")
      .select("id")
      .where("action", "is not", null)
      .where("lease_until", ">", now)
      .execute();
    const unfinished = await store.db
      .selectFrom("tasks")
      .select("id")
      .where("action", "is not", null)
      .execute();
    const sending = await store.db
      .selectFrom("messages")
      .select("id")
      .where("state", "not in", ["delivered", "failed"])
      .where("lease_until", ">", now)
      .execute();
    await store.close();
    // Otherwise the test proved nothing about takeover.
    expect(leasedTasks.length + sending.length).toBeGreaterThan(0);
    expect(unfinished.length + sending.length).toBeGreaterThan(0);

    const restartedAt = performance.now();
    server = await startHooklineProcess({ env });
    api = client(server.url, key.apiKey);
    for (const id of taskIds) {
      const rec = await waitForWavRecord(api, id, 60_000);
      expect(rec.data.status, JSON.stringify(rec.data)).toBe("SUCCESS");
    }
    const allDoneS = (performance.now() - restartedAt) / 1000;
    // Leases of 2 s: the dead process's tasks are taken over in seconds, not the hours a lost lease would mean.
    expect(allDoneS, `all tasks done ${allDoneS} s after the restart`).toBeLessThan(30);

    // The delivery log shows the attempts and ends delivered with a 200. Waiting for it also waits for the
    // callback the dead process was sending, which is taken over once its lease (~8 s here) runs out.
    const logs = new Map<string, Envelope>();
    for (const id of taskIds) {
      const log = await waitFor(
        `the delivery log of ${id}`,
        async () => {
          const l = await api.call(`/api/v1/hookline/tasks/${id}/deliveries`);
          const done = l.data.messages.length === 1 && l.data.messages[0].state === "delivered";
          return done && l.data.attempts.length > 0 ? l : undefined;
        },
        30_000,
      );
      const last = log.data.attempts[log.data.attempts.length - 1];
      expect(last).toMatchObject({ statusCode: 200, outcome: "delivered" });
      logs.set(id, log);
    }
    const allDeliveredS = (performance.now() - restartedAt) / 1000;
    expect(allDeliveredS, `all delivered ${allDeliveredS} s after the restart`).toBeLessThan(30);

    const byTask = new Map<string, Receiver["requests"]>();
    for (const r of receiver.requests) {
      const id = (JSON.parse(r.body) as { taskId: string }).taskId;
      byTask.set(id, [...(byTask.get(id) ?? []), r]);
    }
    for (const [i, id] of taskIds.entries()) {
      const got = byTask.get(id) ?? [];
      expect(got.length, `callbacks of task ${i}`).toBeGreaterThanOrEqual(1);
      // Duplicates are allowed, but they are the same message: one webhook-id per task, the logged one.
      expect(new Set(got.map((r) => header(r.headers, "webhook-id")))).toEqual(
        new Set([logs.get(id)!.data.messages[0].messageId]),
      );
      // An attempt cut off by the kill leaves no row, so the receiver saw at least as many as were logged.
      expect(got.length).toBeGreaterThanOrEqual(logs.get(id)!.data.attempts.length);
      for (const r of got) {
        expect(r.url).toBe(`/hook/${i}`);
        expect(() => verifyStandard(key.webhookHmacKey, r.body, r.headers)).not.toThrow();
        expect(JSON.parse(r.body)).toMatchObject({ code: 200, taskId: id, data: { task_id: id } });
      }
    }
    // What the dead process was sending was sent again by the restarted one.
    const afterKill = receiver.requests.slice(receivedBeforeKill).map((r) => header(r.headers, "webhook-id"));
    for (const m of sending) expect(afterKill).toContain(m.id);

    const exit = await server.stop("SIGTERM", 10_000);
    expect(exit.code, server.output()).toBe(0);

    // Tasks the dead process held were claimed again (runs counts claims).
    const after = await openStore({ kind: "sqlite", path: `${env.HOOKLINE_DATA_DIR}/hookline.db` });
    const runs = await after.db
      .selectFrom("tasks")
      .select(["id", "runs"])
      .where("family", "=", "wav")
      .execute();
    await after.close();
    const leased = new Set(leasedTasks.map((t) => t.id));
    expect(runs).toHaveLength(TASKS);
    for (const t of runs) {
      expect(Number(t.runs)).toBeGreaterThanOrEqual(leased.has(t.id) ? 2 : 1);
    }
  });
});
