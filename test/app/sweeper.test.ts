/**
 * The sweeper loop runs the blob reconciler: a blob that no row references goes once past the grace period, an
 * uploaded file's stays (issue 9). Through the real server's services.
 */
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSweeper } from "../../src/app/index.js";
import { strayBlobs } from "../helpers/blobs.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";

describe("sweeper", () => {
  let h: TestHookline;
  beforeAll(async () => {
    h = await startTestHookline();
  });
  afterAll(async () => {
    await h.stop();
  });

  it("removes blobs that no file row references, past the grace period only", async () => {
    const { blobs, store } = h.running.services;
    const up = await h.call("/api/file-base64-upload", {
      json: { base64Data: Buffer.from("kept").toString("base64"), uploadPath: "s" },
    });
    expect(up.success).toBe(true);
    const orphan = await blobs.writeStream(Readable.from([Buffer.from("orphan")]), { maxBytes: 100 });
    expect(await strayBlobs(h.dataDir, store)).toEqual([orphan.key]);

    const patient = startSweeper(h.running.services, { reconcile: { graceMs: 3_600_000 } });
    patient.stop();
    await patient.runOnce();
    expect(await blobs.exists(orphan.key)).toBe(true); // seconds old: its row might be about to commit

    const eager = startSweeper(h.running.services, { reconcile: { graceMs: 0 } });
    eager.stop();
    await eager.runOnce();
    expect(await blobs.exists(orphan.key)).toBe(false);
    expect(await strayBlobs(h.dataDir, store)).toEqual([]);
    const rows = await store.db.selectFrom("files").select("storage_key").execute();
    expect(rows).toHaveLength(1);
    for (const r of rows) expect(await blobs.exists(r.storage_key)).toBe(true);
  });
});
