/**
 * The blob reconciler on both databases: blobs that no live file row references go once they are older than the
 * grace period; referenced ones stay (superseded rows included); rows whose blob is missing are only counted; the
 * walk of the tree is bounded per pass and resumes where it stopped. On local disk and on S3 (s3rver).
 */
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BlobStore, createBlobReconciler, insertFile } from "../../src/files/index.js";
import type { Store } from "../../src/store/index.js";
import { blobStoreKinds, freshBlobStore, storedKeys, type TestBlobStore } from "../helpers/blob-stores.js";
import { dialects, freshStore } from "../helpers/db.js";

const HOUR = 3_600_000;

const cases = dialects().flatMap((dialect) => blobStoreKinds().map((kind) => [dialect, kind] as const));

describe.each(cases)("blob reconciler on %s, files on %s", (dialect, kind) => {
  let t: TestBlobStore;
  let store: Store & { drop(): Promise<void> };
  let blobs: BlobStore;

  beforeEach(async () => {
    store = await freshStore(dialect);
    t = await freshBlobStore(kind);
    blobs = t.store;
  });
  afterEach(async () => {
    await store.drop();
    await t.close();
  });

  const blob = async (text = "x") =>
    (await blobs.writeStream(Readable.from([Buffer.from(text)]), { maxBytes: 100 })).key;

  async function row(key: string, path: string, marks: { deleted?: boolean; expired?: boolean } = {}) {
    const now = Date.now();
    const file = await store.transact((trx) =>
      insertFile(
        trx,
        {
          ownerId: "key_1",
          path,
          fileName: path,
          storageKey: key,
          size: 1,
          mimeType: "application/octet-stream",
          kind: "upload",
          expiresAt: now + 72 * HOUR,
        },
        now,
      ),
    );
    const set = { deleted_at: marks.deleted ? now : null, expired_at: marks.expired ? now : null };
    await store.db.updateTable("files").set(set).where("id", "=", file.id).execute();
    return file.id;
  }

  it("removes unreferenced blobs only past the grace period, keeps referenced ones", async () => {
    const live = await blob();
    await row(live, "a.bin");
    const superseded = await blob();
    await row(superseded, "same.bin");
    const current = await blob();
    await row(current, "same.bin"); // supersedes the row above: tracks may still use its bytes
    const orphan = await blob();
    const ofDeleted = await blob();
    await row(ofDeleted, "deleted.bin", { deleted: true });
    const ofExpired = await blob();
    await row(ofExpired, "expired.bin", { expired: true });

    const reconciler = createBlobReconciler(store, blobs, { graceMs: HOUR, batch: 2 });
    // Everything is seconds old: an upload or a result may still be about to commit its row.
    const young = await reconciler.pass(Date.now());
    expect(young).toMatchObject({ scanned: 6, removed: 0, wrapped: true });
    expect(await storedKeys(t)).toHaveLength(6);

    const later = await reconciler.pass(Date.now() + 2 * HOUR);
    expect(later).toMatchObject({ scanned: 6, removed: 3, wrapped: true });
    expect((await storedKeys(t)).sort()).toEqual([live, superseded, current].sort());
    for (const gone of [orphan, ofDeleted, ofExpired]) expect(await blobs.exists(gone)).toBe(false);
  });

  it("walks the tree a bounded step per pass and starts over at the end", async () => {
    const keys: string[] = [];
    for (let i = 0; i < 7; i++) keys.push(await blob(String(i)));
    for (const k of keys.slice(0, 3)) await row(k, `${k}.bin`);
    const reconciler = createBlobReconciler(store, blobs, { graceMs: 0, blobsPerPass: 3, batch: 2 });
    const later = Date.now() + HOUR;
    const passes = [];
    for (let i = 0; i < 3; i++) passes.push(await reconciler.pass(later));
    expect(passes.map((p) => p.scanned)).toEqual([3, 3, 1]);
    expect(passes.map((p) => p.wrapped)).toEqual([false, false, true]);
    expect(passes.reduce((n, p) => n + p.removed, 0)).toBe(4);
    expect((await storedKeys(t)).sort()).toEqual(keys.slice(0, 3).sort());
    // The next pass starts from the beginning again.
    expect(await reconciler.pass(later)).toMatchObject({ scanned: 3, removed: 0 });
  });

  it("leaves a row whose blob is missing alone, and counts it", async () => {
    const kept = await blob();
    await row(kept, "kept.bin");
    const lost = await blob();
    const id = await row(lost, "lost.bin");
    await blobs.delete(lost);
    const pass = await createBlobReconciler(store, blobs, { rowsPerPass: 10 }).pass(Date.now());
    expect(pass).toMatchObject({ rowsChecked: 2, rowsMissingBlob: 1, removed: 0 });
    const rowNow = await store.db.selectFrom("files").selectAll().where("id", "=", id).executeTakeFirst();
    expect(rowNow).toMatchObject({ deleted_at: null, expired_at: null });
  });

  it("pages through rows by id across passes", async () => {
    for (let i = 0; i < 5; i++) await row(await blob(), `f${i}.bin`);
    const reconciler = createBlobReconciler(store, blobs, { rowsPerPass: 2 });
    const checked = [];
    for (let i = 0; i < 4; i++) checked.push((await reconciler.pass(Date.now())).rowsChecked);
    expect(checked).toEqual([2, 2, 1, 2]);
  });
});
