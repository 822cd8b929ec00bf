import { afterEach, describe, expect, it } from "vitest";
import { createKey } from "../../src/keys/index.js";
import { ManualClock } from "../../src/lib/clock.js";
import { createOutbound, type Outbound } from "../../src/net/index.js";
import { claimMessages, writeAttempts } from "../../src/outbox/index.js";
import { openStore, type Store } from "../../src/store/index.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import {
  attemptRows,
  hookedFamily,
  makeSender,
  messageRow,
  openRig,
  queueCallback,
  type Rig,
} from "./rig.js";

/** DESIGN invariant 2 for callbacks: messages are claimed by lease; a dead sender's message is sent by another. */
describe.each(dialects())("outbox leases on %s", (dialect) => {
  let rig: Rig | null = null;
  let receiver: Receiver | null = null;
  let database: TestDb | null = null;
  const stores: Store[] = [];
  const outbounds: Outbound[] = [];
  afterEach(async () => {
    await receiver?.close();
    await rig?.close();
    for (const o of outbounds.splice(0)) await o.close();
    for (const s of stores.splice(0)) await s.close();
    await database?.drop();
    receiver = rig = database = null;
  });

  it("a message leased by a sender that died is sent by another once the lease expires, same id", async () => {
    rig = await openRig(dialect);
    const r = rig;
    receiver = await startReceiver((_req, res) => res.end("ok"));
    const { messageId } = await queueCallback(r, `${receiver.origin}/cb`);
    const [dead] = (await claimMessages(r.store.db, "dead-sender", 10, r.clock.now(), 30_000)).map(
      (c) => c.message,
    );
    expect(dead?.id).toBe(messageId);
    expect(await r.sender.runOnce()).toBe(0);
    r.clock.advance(30_000);
    expect(await r.sender.runOnce()).toBe(0);
    r.clock.advance(1);
    expect(await r.sender.runOnce()).toBe(1);
    expect(receiver.requests.map((q) => q.headers["webhook-id"])).toEqual([messageId]);
    expect(await messageRow(r, messageId)).toMatchObject({ state: "delivered", total_attempts: 1 });

    // The dead sender wakes up and reports a failure: its attempt is kept, the message is not moved back.
    const moved = await r.store.transact((trx) =>
      writeAttempts(trx, "dead-sender", [
        {
          message: dead!,
          trigger: "auto",
          startedAt: r.clock.now(),
          endedAt: r.clock.now(),
          latencyMs: 15_000,
          status: null,
          errorClass: "timeout",
          errorMessage: "late",
          excerpt: "",
          outcome: "retry",
          nextAt: r.clock.now() + 60_000,
        },
      ]),
    );
    expect(moved.size).toBe(0);
    expect(await messageRow(r, messageId)).toMatchObject({ state: "delivered", lease_owner: null });
    expect((await attemptRows(r, messageId)).map((a) => a.error_class)).toEqual([null, "timeout"]);
  });

  it.runIf(dialect === "postgres")(
    "two senders on separate connections never send one message twice",
    async () => {
      database = await freshDatabase(dialect);
      for (let i = 0; i < 2; i++) stores.push(await openStore(database.target));
      const clock = new ManualClock(Date.now());
      receiver = await startReceiver((_req, res) => setTimeout(() => res.end("ok"), 5));
      const key = await createKey(stores[0]!, clock, { name: "t" });
      const n = 40;
      const ids = new Set<string>();
      for (let i = 0; i < n; i++) {
        const q = await queueCallback({ store: stores[0]!, clock, key }, `${receiver.origin}/cb`);
        ids.add(q.messageId);
      }
      const senders = stores.map((s, i) => {
        const outbound = createOutbound({ allowHosts: [], allowPrivate: true });
        outbounds.push(outbound);
        return makeSender(s, clock, outbound, `sender-${i}`, new Map([["hooked", hookedFamily([])]]));
      });
      const counts = await Promise.all(
        senders.map(async (snd) => {
          let sent = 0;
          for (;;) {
            const k = await snd.runOnce();
            if (k === 0) return sent;
            sent += k;
          }
        }),
      );
      expect(counts[0]! + counts[1]!).toBe(n);
      const seen = receiver.requests.map((q) => String(q.headers["webhook-id"]));
      expect(seen).toHaveLength(n);
      expect(new Set(seen)).toEqual(ids);
      const states = await stores[0]!.db.selectFrom("messages").select("state").execute();
      expect(states.every((m) => m.state === "delivered")).toBe(true);
      const attempts = await stores[0]!.db.selectFrom("attempts").selectAll().execute();
      expect(attempts).toHaveLength(n);
    },
  );
});
