import { readFile } from "node:fs/promises";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { createSender, type Sender } from "../../src/delivery/index.js";
import { wavModule } from "../../src/families/wav/index.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createOutbound, type Outbound } from "../../src/net/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";

import { driveToEnd, JITTER, SCHEDULE, SENDER_TIMEOUT_MS } from "./rig.js";

/**
 * The real WAV family's delivery hooks in a running Hookline: a converted task whose callback is given up
 * reads CALLBACK_EXCEPTION, and a successful manual redelivery (the API's redeliver) turns it back to SUCCESS.
 */

describe.each(dialects())("WAV delivery hooks on %s", (dialect) => {
  let h: TestHookline | null = null;
  let db: TestDb | null = null;
  let receiver: Receiver | null = null;
  let sender: Sender | null = null;
  let outbound: Outbound | null = null;
  let dir: TmpDir | null = null;
  afterEach(async () => {
    await sender?.stop();
    await outbound?.close();
    await receiver?.close();
    await h?.stop();
    await db?.drop();
    await dir?.cleanup();
    h = db = receiver = sender = outbound = dir = null;
  });

  it("given up → CALLBACK_EXCEPTION; redelivered → SUCCESS, same webhook-id throughout", async () => {
    const clock = new ManualClock(Date.now());
    db = await freshDatabase(dialect);
    // The API and the runner run; the sender is driven by hand below.
    h = await startTestHookline({ clock, database: db.target, roles: { sender: false } });
    const healthy = { ok: false };
    receiver = await startReceiver((_req, res) => res.writeHead(healthy.ok ? 200 : 500).end());
    const { services } = h.running;
    outbound = createOutbound({ allowHosts: [], allowPrivate: true });
    const snd = createSender({
      store: services.store,
      outbound,
      families: new Map([["wav", wavModule(services).family]]),
      owner: "test-sender",
      concurrency: 4,
      leaseMs: 30_000,
      pollMs: 50,
      timeoutMs: SENDER_TIMEOUT_MS,
      excerptBytes: 4096,
      policy: { scheduleMs: [...SCHEDULE], jitter: JITTER },
      clock,
      log: silentLogger,
      messages: services.messages,
    });
    sender = snd;

    dir = await tmpDir("wav-hooks");
    const mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
    const form = new FormData();
    form.set("uploadPath", "music");
    form.set("file", new Blob([await readFile(mp3)]), "tone.mp3");
    const up = await h.call("/api/file-stream-upload", { method: "POST", body: form });
    expect(up.success).toBe(true);
    const gen = await h.call("/api/v1/wav/generate", {
      json: { audioId: up.data.audioId, callBackUrl: `${receiver.origin}/cb` },
    });
    expect(gen.code).toBe(200);
    const taskId: string = gen.data.taskId;
    const status = async () =>
      (await h!.call(`/api/v1/wav/record-info?taskId=${taskId}`)).data.successFlag as string;
    await waitFor('(await status()) === "SUCCESS"', async () => (await status()) === "SUCCESS", {
      timeoutMs: 20_000,
    });

    const [message] = await services.store.db
      .selectFrom("messages")
      .selectAll()
      .where("task_id", "=", taskId)
      .execute();
    expect(message).toBeDefined();
    const messageId = message!.id;
    expect(await driveToEnd({ store: services.store, clock, sender: snd }, messageId)).toBe(4);
    expect(receiver.requests).toHaveLength(4);
    expect(await status()).toBe("CALLBACK_EXCEPTION");

    // The first attempt was signed when the clock still matched the wall clock: an independent verifier accepts it.
    const first = receiver.requests[0]!;
    const headers = Object.fromEntries(Object.entries(first.headers).map(([k, v]) => [k, String(v)]));
    const payload = new Webhook(h.webhookKey).verify(first.body, headers) as {
      data: { audioWavUrl: string };
    };
    expect(payload.data.audioWavUrl).toMatch(/^http/);

    healthy.ok = true;
    const again = await h.call(`/api/v1/hookline/tasks/${taskId}/redeliver`, { method: "POST" });
    expect(again.data).toMatchObject({ taskId, messageId });
    expect(await snd.runOnce()).toBe(1);
    expect(await status()).toBe("SUCCESS");
    expect(receiver.requests.map((q) => q.headers["webhook-id"])).toEqual(Array(5).fill(messageId));

    const log = await h.call(`/api/v1/hookline/tasks/${taskId}/deliveries`);
    expect(log.data.messages[0]).toMatchObject({ messageId, state: "delivered", attempts: 5 });
    expect(
      log.data.attempts.map((a: { trigger: string; statusCode: number }) => [a.trigger, a.statusCode]),
    ).toEqual([
      ["auto", 500],
      ["auto", 500],
      ["auto", 500],
      ["auto", 500],
      ["manual", 200],
    ]);
  });
});
