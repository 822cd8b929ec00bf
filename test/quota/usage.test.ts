/**
 * Storage accounting (DESIGN invariant 8): a key's usage moves with its file rows and its queued work, in the
 * same transactions, and a file marked gone twice (two sweepers, a delete racing retention) counts once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { insertFile, markGone, sweepExpired } from "../../src/files/index.js";
import { type DiskGauge, reserveRoom, usedBytes } from "../../src/quota/index.js";
import type { Store } from "../../src/store/index.js";
import { dialects, freshStore } from "../helpers/db.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const roomy: DiskGauge = { freeBytes: () => 1e15 };

describe.each(dialects())("storage usage on %s", (dialect) => {
  let store: Store & { drop(): Promise<void> };
  beforeEach(async () => {
    store = await freshStore(dialect);
  });
  afterEach(async () => {
    await store.drop();
  });

  const file = (id: string, size: number, expiresAt: number | null = null) =>
    store.transact((trx) =>
      insertFile(
        trx,
        {
          id,
          ownerId: "key_a",
          path: `p/${id}`,
          fileName: id,
          storageKey: id.padEnd(32, "0"),
          size,
          mimeType: "audio/wav",
          kind: "upload",
          expiresAt,
        },
        T0,
      ),
    );

  it("adds file rows, and takes a file off once however often it is marked gone", async () => {
    await file("a", 1_000);
    await file("b", 500, T0 + 10);
    expect(await usedBytes(store.db, "key_a")).toBe(1_500);
    const first = await store.transact((trx) => markGone(trx, "key_a", ["a"], { deleted_at: T0 }));
    const again = await store.transact((trx) => markGone(trx, "key_a", ["a"], { expired_at: T0 }));
    expect([first.length, again.length]).toEqual([1, 0]);
    expect(await usedBytes(store.db, "key_a")).toBe(500);
    const removed: string[] = [];
    expect(await sweepExpired(store, async (k) => void removed.push(k), T0 + 10)).toBe(1);
    expect(await sweepExpired(store, async (k) => void removed.push(k), T0 + 10)).toBe(0);
    expect(removed).toHaveLength(1);
    expect(await usedBytes(store.db, "key_a")).toBe(0);
  });

  it("reserves within the quota and refuses past it, leaving nothing behind when rolled back", async () => {
    const limits = { keyQuotaBytes: 1_000, minFreeDiskBytes: 0 };
    await store.transact((trx) => reserveRoom(trx, roomy, limits, "key_a", 600));
    await expect(
      store.transact((trx) => reserveRoom(trx, roomy, limits, "key_a", 600)),
    ).rejects.toMatchObject({
      code: "payload_too_large",
    });
    expect(await usedBytes(store.db, "key_a")).toBe(600);
    const full: DiskGauge = { freeBytes: () => 100 };
    await expect(
      store.transact((trx) => reserveRoom(trx, full, { ...limits, minFreeDiskBytes: 50 }, "key_a", 60)),
    ).rejects.toMatchObject({ code: "unavailable" });
  });
});
