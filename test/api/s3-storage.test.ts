/**
 * Hookline with its files in S3 (issue 11), end to end: a real server configured for a real S3-protocol server
 * (s3rver). An upload and its WAV land in the bucket and nowhere in the data folder's blob tree; downloads answer
 * GET, HEAD and Range as on local disk; a refused upload leaves no object and no multipart upload; presigned
 * downloads redirect to the bucket; a storage server that goes away gives clean error answers.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ListMultipartUploadsCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, makeRandomBytes, type TmpDir, tmpDir } from "../helpers/audio.js";
import { blobKeys, filesUnder } from "../helpers/blobs.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { startS3, type TestS3 } from "../helpers/s3.js";
import { waitFor } from "../helpers/wait.js";
import { expectServing, settledWav, streamUpload, uploadTrack } from "../http/support.js";
import { wavInfoAt } from "./wav-files.js";

describe("files in S3", () => {
  let s3: TestS3;
  let h: TestHookline;
  let dir: TmpDir;
  let m4a: string;
  const PREFIX = "e2e/";

  beforeAll(async () => {
    s3 = await startS3();
    dir = await tmpDir("s3-e2e");
    // MP4 with its index at the end (ffmpeg's default): ffmpeg must be able to seek in what it reads.
    m4a = await makeAudio(dir.path, { format: "m4a", seconds: 2 });
    h = await startTestHookline({
      env: { ...s3.env, HOOKLINE_S3_PREFIX: PREFIX, HOOKLINE_MAX_UPLOAD_MB: "1" },
    });
  });
  afterAll(async () => {
    await h?.stop();
    await s3?.close();
    await dir?.cleanup();
  });

  const objects = async (prefix = PREFIX) => {
    const res = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
    return (res.Contents ?? []).map((o) => o.Key ?? "");
  };
  const storageKeys = async () =>
    (await h.running.services.store.db.selectFrom("files").select("storage_key").execute()).map(
      (r) => `${PREFIX}${r.storage_key}`,
    );
  /** The scratch area is empty once nothing is in flight (a WAV's source copy is released after the task). */
  const scratchEmpty = () =>
    waitFor(
      "an empty scratch area",
      async () => (await filesUnder(join(h.dataDir, "files", "tmp"))).length === 0,
    );

  it("stores an upload and its WAV in the bucket and serves the WAV with GET, HEAD and Range", async () => {
    const track = await uploadTrack(h, m4a);
    const gen = await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId } });
    expect(gen.code, JSON.stringify(gen)).toBe(200);
    const rec = await settledWav(h, gen.data.taskId);
    expect(rec.data, JSON.stringify(rec)).toMatchObject({ status: "SUCCESS" });
    const url: string = rec.data.response.audioWavUrl;

    const info = await wavInfoAt(url, dir.path);
    expect(info).toMatchObject({ format: 1, bitDepth: 16, sampleRate: 44_100, channels: 2 });
    expect(info.durationS).toBeCloseTo(2, 1);
    const full = Buffer.from(await (await fetch(url)).arrayBuffer());
    const head = await fetch(url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(full.length));
    expect(head.headers.get("content-type")).toMatch(/^audio\/(x-)?wav/);
    const part = await fetch(url, { headers: { range: "bytes=8-15" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 8-15/${full.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(full.subarray(8, 16));
    expect(full.subarray(8, 12).toString("latin1")).toBe("WAVE");

    // The upload and the WAV are objects `<prefix><key>`, and the data folder holds no blob and no leftover.
    expect((await objects()).sort()).toEqual((await storageKeys()).sort());
    expect(await objects()).toHaveLength(2);
    expect(await blobKeys(join(h.dataDir, "files"))).toEqual([]);
    await scratchEmpty();
  });

  it("an oversized streamed upload leaves no object and no multipart upload", async () => {
    const before = await objects();
    const big = await makeRandomBytes(dir.path, 2 * 1024 * 1024, "big.bin");
    const env = await streamUpload(h, big);
    expect(env.code, JSON.stringify(env)).toBe(413);
    expect(await objects()).toEqual(before);
    const uploads = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
    await scratchEmpty();
    await expectServing(h);
  });

  it("with presigned downloads on, a download link redirects (307) to the bucket, which serves the bytes", async () => {
    const p = await startTestHookline({
      env: { ...s3.env, HOOKLINE_S3_PREFIX: "presigned/", HOOKLINE_S3_PRESIGNED_DOWNLOADS: "on" },
    });
    try {
      const up = await uploadTrack(p, m4a);
      const res = await fetch(up.downloadUrl, { redirect: "manual" });
      expect(res.status).toBe(307);
      await res.arrayBuffer();
      const target = res.headers.get("location") ?? "";
      expect(target.startsWith(`${s3.endpoint}/${s3.bucket}/presigned/`)).toBe(true);
      const direct = await fetch(target);
      expect(direct.status).toBe(200);
      expect(Buffer.from(await direct.arrayBuffer())).toEqual(await readFile(m4a));
      expect(direct.headers.get("content-disposition")).toMatch(/^attachment; filename="/);
      // A client that follows redirects gets the file in one call; HEAD is still answered by Hookline.
      expect(Buffer.from(await (await fetch(up.downloadUrl)).arrayBuffer())).toEqual(await readFile(m4a));
      const head = await fetch(up.downloadUrl, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("content-length")).toBe(String((await readFile(m4a)).length));
    } finally {
      await p.stop();
    }
  });

  it("with the storage server gone: downloads answer 503, uploads fail cleanly, conversions wait, the API serves", async () => {
    const track = await uploadTrack(h, m4a);
    await s3.close();

    const download = await fetch(track.downloadUrl);
    expect(download.status).toBe(503);
    expect(await download.text()).toMatch(/storage/);

    const up = await streamUpload(h, m4a);
    expect(up.code, JSON.stringify(up)).toBe(455);
    expect(up.success).not.toBe(true);
    expect(up.msg).toMatch(/storage/i);

    // A conversion that cannot read its source is not failed: storage being away is no fault of the task, which
    // is given back, uncounted, and tried again later.
    const gen = await h.call("/api/v1/wav/generate", { json: { audioId: track.audioId } });
    expect(gen.code, JSON.stringify(gen)).toBe(200);
    const taskId = String(gen.data.taskId);
    const givenBack = await waitFor("the conversion given back for later", async () => {
      const row = await h.running.services.store.db
        .selectFrom("tasks")
        .select(["status", "lease_owner", "run_at", "runs"])
        .where("id", "=", taskId)
        .executeTakeFirstOrThrow();
      return row.lease_owner === null && row.run_at > Date.now() ? row : undefined;
    });
    expect(givenBack).toMatchObject({ status: "PENDING", runs: 0 });

    await expectServing(h);
    await scratchEmpty();
  });
});
