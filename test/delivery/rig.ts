import { randomBytes } from "node:crypto";
import { createSender, type Sender } from "../../src/delivery/index.js";
import { createKey } from "../../src/keys/index.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createOutbound, type Outbound } from "../../src/net/index.js";
import { enqueueMessage } from "../../src/outbox/index.js";
import type { Store } from "../../src/store/index.js";
import { type Family, insertTask, Notifier } from "../../src/tasks/index.js";
import { freshStore } from "../helpers/db.js";

/** The schedule the issue names: 1, 5 and 15 minutes, ±10 %. */
export const SCHEDULE = [60_000, 300_000, 900_000] as const;
export const JITTER = 0.1;
/** The receiver timeout of the test that waits for it to run out (kept short, so the wait is short). */
export const TIMEOUT_MS = 300;
/**
 * Everyone else's: long enough that a loaded machine (CI runs two suites side by side on two cores) never turns a
 * receiver's prompt answer into a timeout.
 */
export const SENDER_TIMEOUT_MS = 10_000;

/**
 * A small family with the same hook contract as the WAV family: a SUCCESS whose callback is given up becomes
 * CALLBACK_EXCEPTION, and a later delivery turns it back. Every hook call is recorded.
 */
export function hookedFamily(calls: string[]): Family {
  return {
    name: "hooked",
    run: async () => ({ status: "SUCCESS", done: true }),
    failed: (_task, error) => ({ status: "FAILED", done: true, errorMessage: error.message }),
    async onDeliveryGivenUp(trx, task) {
      calls.push(`givenUp:${task.status}`);
      if (task.status !== "SUCCESS") return;
      await trx
        .updateTable("tasks")
        .set({ status: "CALLBACK_EXCEPTION" })
        .where("id", "=", task.id)
        .execute();
    },
    async onDelivered(trx, task) {
      calls.push(`delivered:${task.status}`);
      if (task.status !== "CALLBACK_EXCEPTION") return;
      await trx.updateTable("tasks").set({ status: "SUCCESS" }).where("id", "=", task.id).execute();
    },
  };
}

/** What the helpers below need: a store, the clock and a sender (a Rig, or pieces of a running Hookline). */
export interface Driven {
  readonly store: Store;
  readonly clock: ManualClock;
  readonly sender: Sender;
}

/** The real sender with the schedule, driven by `runOnce`. */
export function makeSender(
  store: Store,
  clock: ManualClock,
  outbound: Outbound,
  owner: string,
  families: ReadonlyMap<string, Family>,
  timeoutMs = SENDER_TIMEOUT_MS,
): Sender {
  return createSender({
    store,
    outbound,
    families,
    owner,
    concurrency: 8,
    leaseMs: 30_000,
    pollMs: 50,
    timeoutMs,
    excerptBytes: 4096,
    policy: { scheduleMs: [...SCHEDULE], jitter: JITTER },
    clock,
    log: silentLogger,
    messages: new Notifier(),
  });
}

export interface Rig {
  readonly store: Awaited<ReturnType<typeof freshStore>>;
  readonly clock: ManualClock;
  readonly outbound: Outbound;
  readonly sender: Sender;
  readonly key: { id: string; webhookHmacKey: string };
  /** Hook calls of the `hooked` family. */
  readonly hooks: string[];
  close(): Promise<void>;
}

/**
 * A fresh database with one API key, the real guarded client and the real sender driven by `runOnce` and a
 * ManualClock that starts at the wall-clock time (so Standard Webhooks verifiers accept the first timestamps).
 */
export async function openRig(
  dialect: "sqlite" | "postgres",
  opts: { allowPrivate?: boolean; families?: Family[]; timeoutMs?: number } = {},
): Promise<Rig> {
  const store = await freshStore(dialect);
  const clock = new ManualClock(Date.now());
  const outbound = createOutbound({ allowHosts: [], allowPrivate: opts.allowPrivate ?? true });
  const hooks: string[] = [];
  const families = new Map<string, Family>(
    [hookedFamily(hooks), ...(opts.families ?? [])].map((f) => [f.name, f]),
  );
  const sender = makeSender(store, clock, outbound, "sender-1", families, opts.timeoutMs);
  const created = await createKey(store, clock, { name: "tenant" });
  const key = { id: created.id, webhookHmacKey: created.webhookHmacKey };
  return {
    store,
    clock,
    outbound,
    sender,
    key,
    hooks,
    async close() {
      await sender.stop();
      await outbound.close();
      await store.drop();
    },
  };
}

/** A finished task of `family` and its queued callback message, written as completeTask would. */
export async function queueCallback(
  rig: Pick<Driven, "store" | "clock"> & { readonly key: { readonly id: string } },
  url: string,
  opts: { family?: string; status?: string; body?: Record<string, unknown> } = {},
): Promise<{ taskId: string; messageId: string; body: string }> {
  const taskId = randomBytes(16).toString("hex");
  const body = opts.body ?? { code: 200, msg: "success", taskId, data: { taskId } };
  const now = rig.clock.now();
  const messageId = await rig.store.transact(async (trx) => {
    await insertTask(
      trx,
      {
        id: taskId,
        ownerId: rig.key.id,
        family: opts.family ?? "hooked",
        status: opts.status ?? "SUCCESS",
        action: null,
        input: {},
        callbackUrl: url,
      },
      now,
    );
    return enqueueMessage(
      trx,
      { id: taskId, ownerId: rig.key.id },
      url,
      { event: "test", body, signTaskId: taskId },
      now,
    );
  });
  return { taskId, messageId, body: JSON.stringify(body) };
}

export async function messageRow(rig: Pick<Driven, "store">, id: string) {
  return rig.store.db.selectFrom("messages").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

export async function attemptRows(rig: Pick<Driven, "store">, messageId: string) {
  return rig.store.db
    .selectFrom("attempts")
    .selectAll()
    .where("message_id", "=", messageId)
    .orderBy("id")
    .execute();
}

export async function taskStatus(rig: Pick<Driven, "store">, taskId: string): Promise<string> {
  const row = await rig.store.db
    .selectFrom("tasks")
    .select("status")
    .where("id", "=", taskId)
    .executeTakeFirstOrThrow();
  return row.status;
}

/**
 * Sends a message until it is no longer pending, moving the clock to each attempt's next_at. Before every
 * retry it checks that a pass one millisecond early sends nothing. Returns the number of passes that sent.
 */
export async function driveToEnd(rig: Driven, messageId: string, max = 10): Promise<number> {
  let sent = 0;
  for (let i = 0; i < max; i++) {
    sent += await rig.sender.runOnce();
    const m = await messageRow(rig, messageId);
    if (m.state !== "pending") return sent;
    rig.clock.set(m.next_at - 1);
    if ((await rig.sender.runOnce()) !== 0) throw new Error("sent before next_at");
    rig.clock.set(m.next_at);
  }
  throw new Error("message still pending");
}
