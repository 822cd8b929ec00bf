import { chmod, mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { ListMultipartUploadsCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { type BlobStore, createLocalBlobStore, HEAD_BYTES } from "../../src/files/index.js";
import { createS3BlobStore } from "../../src/files/s3-store.js";
import { HooklineError } from "../../src/lib/errors.js";
import { silentLogger } from "../../src/lib/logger.js";
import { blobStoreKinds, freshBlobStore, readBlob, type TestBlobStore } from "../helpers/blob-stores.js";
import { filesUnder } from "../helpers/blobs.js";

function bytes(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

async function* chunks(data: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield new Uint8Array(data.subarray(i, i + size));
}

async function collect(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

describe.each(blobStoreKinds())("%s blob store", (kind) => {
  let t: TestBlobStore;
  let store: BlobStore;
  let dir: string;

  beforeEach(async () => {
    t = await freshBlobStore(kind);
    store = t.store;
    dir = dirname(t.root);
  });
  afterEach(async () => {
    await t.close();
  });

  /** The object keys in the bucket (S3), or the blob files of the tree (local). */
  async function stored(): Promise<string[]> {
    if (t.s3 === null) return (await filesUnder(t.root)).filter((p) => !p.startsWith("tmp"));
    const res = await t.s3.client.send(new ListObjectsV2Command({ Bucket: t.s3.bucket }));
    return (res.Contents ?? []).map((o) => o.Key ?? "");
  }

  it("commits a filled temp file under a random key and reads it back", async () => {
    const tmp = store.tempPath(".wav");
    // In this process's own temp folder: root/tmp/<pid>-<random>@<place>, on local disk whatever the store.
    expect(dirname(tmp)).toBe(store.tempDir);
    expect(relative(join(t.root, "tmp"), store.tempDir)).toMatch(new RegExp(`^${process.pid}-[0-9a-f]{8}@`));
    expect(tmp.endsWith(".wav")).toBe(true);
    const data = bytes(10_000);
    await writeFile(tmp, data);

    const { key, size } = await store.commit(tmp);
    expect(size).toBe(10_000);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(await readBlob(store, key)).toEqual(data);
    expect(await store.exists(key)).toBe(true);
    expect(await store.stat(key)).toEqual({ size: 10_000 });
    await expect(stat(tmp)).rejects.toThrow(); // the temp file is gone
  });

  it("reads byte ranges, and answers null / not_found for a missing blob", async () => {
    const data = bytes(5000);
    const { key } = await store.writeStream(chunks(data, 700), { maxBytes: 5000 });
    expect(await collect(await store.read(key, { start: 100, end: 199 }))).toEqual(data.subarray(100, 200));
    expect(await collect(await store.read(key, { start: 4999, end: 4999 }))).toEqual(data.subarray(4999));
    const missing = "0".repeat(32);
    expect(await store.stat(missing)).toBeNull();
    expect(await store.exists(missing)).toBe(false);
    const err = await store.read(missing, { start: 0, end: 1 }).catch((e: unknown) => e);
    expect((err as HooklineError).code).toBe("not_found");
    const gone = await store.local(missing).catch((e: unknown) => e);
    expect((gone as HooklineError).code).toBe("source_unavailable");
  });

  it("hands ffmpeg a local file; release gives back only what was made for the caller", async () => {
    const data = bytes(70_000);
    const { key } = await store.writeStream(chunks(data, 4096), { maxBytes: 1 << 20 });
    const copy = await store.local(key);
    expect(await readFile(copy.path)).toEqual(data);
    await copy.release();
    if (kind === "s3") {
      // A copy in the scratch area, removed by release.
      expect(dirname(copy.path)).toBe(store.tempDir);
      await expect(stat(copy.path)).rejects.toThrow();
    } else {
      expect(await readFile(copy.path)).toEqual(data); // the store's own file stays
    }
    expect(await readBlob(store, key)).toEqual(data);
  });

  it("streams a source to a blob and returns the first 4 KB for sniffing", async () => {
    const data = bytes(100_000);
    const { key, size, head } = await store.writeStream(chunks(data, 1000), { maxBytes: 100_000 });
    expect(size).toBe(100_000);
    expect(Buffer.from(head)).toEqual(data.subarray(0, HEAD_BYTES));
    expect(await readBlob(store, key)).toEqual(data);
  });

  it("accepts a Node readable stream, head shorter than 4 KB for a small file", async () => {
    const data = bytes(300);
    const { key, head } = await store.writeStream(
      Readable.from([data.subarray(0, 100), data.subarray(100)]),
      {
        maxBytes: 1000,
      },
    );
    expect(Buffer.from(head)).toEqual(data);
    expect(await readBlob(store, key)).toEqual(data);
  });

  it("writes a temp file (not a blob) for a caller that reads it before keeping it", async () => {
    const data = bytes(9000);
    const temp = await store.writeTemp(chunks(data, 1000), { maxBytes: 9000 });
    expect(dirname(temp.path)).toBe(store.tempDir);
    expect(temp.size).toBe(9000);
    expect(Buffer.from(temp.head)).toEqual(data.subarray(0, HEAD_BYTES));
    expect(await stored()).toEqual([]);
    const { key } = await store.commit(temp.path);
    expect(await readBlob(store, key)).toEqual(data);
    const err = await store.writeTemp(chunks(data, 1000), { maxBytes: 8999 }).catch((e: unknown) => e);
    expect((err as HooklineError).code).toBe("payload_too_large");
    expect(await filesUnder(join(t.root, "tmp"))).toEqual([]);
  });

  it("stops past maxBytes with payload_too_large and leaves nothing behind", async () => {
    const err = await store
      .writeStream(chunks(bytes(5000), 512), { maxBytes: 4999 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HooklineError);
    expect((err as HooklineError).code).toBe("payload_too_large");
    expect(await filesUnder(join(t.root, "tmp"))).toEqual([]);
    expect(await stored()).toEqual([]);
  });

  it("stops a large stream past maxBytes without leaving a multipart upload behind", async () => {
    // 12 MB against an 11 MB cap: on S3 two 5 MB parts are sent before the cap is reached.
    const mb = 1024 * 1024;
    const err = await store
      .writeStream(chunks(bytes(12 * mb), 256 * 1024), { maxBytes: 11 * mb })
      .catch((e: unknown) => e);
    expect((err as HooklineError).code).toBe("payload_too_large");
    expect(await stored()).toEqual([]);
    expect(await filesUnder(join(t.root, "tmp"))).toEqual([]);
    if (t.s3 !== null) {
      const res = await t.s3.client.send(new ListMultipartUploadsCommand({ Bucket: t.s3.bucket }));
      expect(res.Uploads ?? []).toEqual([]);
    }
  });

  it("removes what it wrote when the source fails", async () => {
    async function* failing(): AsyncIterable<Uint8Array> {
      yield new Uint8Array(10);
      throw new Error("connection reset");
    }
    await expect(store.writeStream(failing(), { maxBytes: 100 })).rejects.toThrow("connection reset");
    expect(await filesUnder(join(t.root, "tmp"))).toEqual([]);
    expect(await stored()).toEqual([]);
  });

  it("takes nothing from user input: extensions are vetted, keys and commits checked", async () => {
    // An extension that could name a path is dropped, not trusted.
    for (const ext of ["../../etc/passwd", "/x", "a b", ".w/av", "..", "\u00e9t\u00e9"]) {
      const p = store.tempPath(ext);
      expect(relative(store.tempDir, p)).toMatch(/^[0-9a-f]{24}$/);
    }
    // Keys that were not made by the store are refused.
    const { key } = await store.writeStream(chunks(bytes(10), 10), { maxBytes: 10 });
    for (const bad of ["../../etc/passwd", "ab/cd", "", key.toUpperCase(), `${key}x`]) {
      await expect(store.stat(bad)).rejects.toThrow(HooklineError);
      await expect(store.delete(bad)).rejects.toThrow(HooklineError);
    }
    // commit only takes paths from tempPath(), and leaves any other file alone.
    const outside = join(dir, "outside.bin");
    await writeFile(outside, "x");
    await expect(store.commit(outside)).rejects.toThrow(HooklineError);
    await expect(store.commit(join(t.root, "tmp", "..", "..", "outside.bin"))).rejects.toThrow(HooklineError);
    expect(await readFile(outside, "utf8")).toBe("x");
  });

  it("gives different keys to identical contents", async () => {
    const a = await store.writeStream(chunks(bytes(10), 10), { maxBytes: 10 });
    const b = await store.writeStream(chunks(bytes(10), 10), { maxBytes: 10 });
    expect(a.key).not.toBe(b.key);
  });

  it("deletes idempotently", async () => {
    const { key } = await store.writeStream(chunks(bytes(10), 10), { maxBytes: 10 });
    await store.delete(key);
    expect(await store.exists(key)).toBe(false);
    await store.delete(key);
    expect(await store.exists(key)).toBe(false);
    expect(await stored()).toEqual([]);
  });

  it("sweeps only temp files older than the given age", async () => {
    const now = Date.now();
    const old = store.tempPath(".wav");
    const fresh = store.tempPath();
    await writeFile(old, "old");
    await writeFile(fresh, "fresh");
    const twoHoursAgo = new Date(now - 2 * 3600_000);
    await utimes(old, twoHoursAgo, twoHoursAgo);
    const kept = await store.writeStream(chunks(bytes(10), 10), { maxBytes: 10 });

    expect((await store.sweepTemp(3600_000, now)).staleFiles).toBe(1);
    await expect(stat(old)).rejects.toThrow();
    expect((await stat(fresh)).isFile()).toBe(true);
    expect(await store.exists(kept.key)).toBe(true); // committed blobs are never swept

    // Moving time forward makes the fresh one stale too.
    expect((await store.sweepTemp(3600_000, now + 2 * 3600_000)).staleFiles).toBe(1);
    expect(await filesUnder(join(t.root, "tmp"))).toEqual([]);
    // Its own folder stays, however long it was idle.
    expect((await stat(store.tempDir)).isDirectory()).toBe(true);
  });

  it("scans keys in key order, a bounded step at a time, resuming from a cursor", async () => {
    const made: string[] = [];
    for (let i = 0; i < 9; i++)
      made.push((await store.writeStream(chunks(bytes(5, i), 5), { maxBytes: 5 })).key);
    const seen: string[] = [];
    let cursor: string | null = null;
    let steps = 0;
    do {
      const step = await store.scan(cursor, 4);
      expect(step.blobs.length).toBeLessThanOrEqual(4);
      for (const b of step.blobs) {
        expect(b.writtenAt).toBeGreaterThan(Date.now() - 60_000);
        seen.push(b.key);
      }
      cursor = step.next;
      steps++;
    } while (cursor !== null);
    expect(steps).toBe(3);
    expect(seen).toEqual([...made].sort());
    // Temp files are not blobs.
    await writeFile(store.tempPath(), "x");
    expect((await store.scan(null, 100)).blobs).toHaveLength(9);
  });

  it("lays blobs out by key alone", async () => {
    const { key } = await store.writeStream(chunks(bytes(10), 10), { maxBytes: 10 });
    // Local: root/ab/cd/<key>; S3: <prefix><key>, flat.
    const expected =
      kind === "local" ? [key.slice(0, 2), key.slice(2, 4), key].join(sep) : `${t.prefix}${key}`;
    expect(await stored()).toEqual([expected]);
  });
});

describe("local blob store on disk", () => {
  let t: TestBlobStore;
  let store: BlobStore;
  let dir: string;

  beforeEach(async () => {
    t = await freshBlobStore("local");
    store = t.store;
    dir = dirname(t.root);
  });
  afterEach(async () => {
    await t.close();
  });

  it.skipIf(process.platform === "win32")(
    "keeps folders 0700 and blobs 0600, and restricts an open tree",
    async () => {
      const mode = async (p: string) => ((await stat(p)).mode & 0o777).toString(8);
      const streamed = await store.writeStream(chunks(bytes(10), 10), { maxBytes: 10 });
      const tmp = store.tempPath(".wav");
      await writeFile(tmp, "RIFF", { mode: 0o644 }); // as ffmpeg would write it
      const committed = await store.commit(tmp);
      const pathOf = (key: string) => join(t.root, key.slice(0, 2), key.slice(2, 4), key);
      for (const key of [streamed.key, committed.key]) {
        expect(await mode(pathOf(key))).toBe("600");
        expect(await mode(dirname(pathOf(key)))).toBe("700");
      }
      for (const p of [join(dir, "files"), join(dir, "files", "tmp"), store.tempDir])
        expect(await mode(p)).toBe("700");

      // A tree an older version made: opened up again, then restricted when a store opens it, with a warning.
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.message);
      process.on("warning", onWarning);
      try {
        await chmod(join(dir, "files"), 0o755);
        await chmod(join(dir, "files", "tmp"), 0o775);
        await createLocalBlobStore(join(dir, "files"));
        await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      } finally {
        process.off("warning", onWarning);
      }
      expect(await mode(join(dir, "files"))).toBe("700");
      expect(await mode(join(dir, "files", "tmp"))).toBe("700");
      expect(warnings.join("\n")).toMatch(/files was readable by other users \(mode 755\); changed to 700/);
      expect(warnings.join("\n")).toMatch(/tmp was readable by other users \(mode 775\)/);
    },
  );
});

describe("S3 blob store against a server that never answers", () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  let dir: string;
  let store: BlobStore;

  beforeEach(async () => {
    // Accepts connections and reads requests, and never answers: a hung storage server.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on("data", () => undefined);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as AddressInfo).port;
    dir = await mkdtemp(join(tmpdir(), "hookline-hung-"));
    const s3 = loadConfig({
      HOOKLINE_S3_BUCKET: "hung",
      HOOKLINE_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      HOOKLINE_S3_ACCESS_KEY_ID: "x",
      HOOKLINE_S3_SECRET_ACCESS_KEY: "y",
      HOOKLINE_S3_FORCE_PATH_STYLE: "on",
    }).s3;
    if (s3 === null) throw new Error("no S3 settings");
    store = await createS3BlobStore({
      scratchRoot: join(dir, "files"),
      s3,
      log: silentLogger,
      timeoutMs: 300,
    });
  });
  afterEach(async () => {
    await store.close();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const code = (p: Promise<unknown>) =>
    p.then(
      () => "answered",
      (e: unknown) => (e as HooklineError).code,
    );

  it("fails every kind of call with unavailable instead of hanging, and leaves no temp file", async () => {
    const key = "a".repeat(32);
    expect(await code(store.stat(key))).toBe("unavailable");
    expect(await code(store.read(key, { start: 0, end: 9 }))).toBe("unavailable");
    expect(await code(store.local(key))).toBe("unavailable");
    expect(await code(store.delete(key))).toBe("unavailable");
    expect(await code(store.scan(null, 10))).toBe("unavailable");
    const tmp = store.tempPath();
    await writeFile(tmp, bytes(1000));
    expect(await code(store.commit(tmp))).toBe("unavailable");
    expect(await code(store.writeStream(chunks(bytes(1000), 100), { maxBytes: 1000 }))).toBe("unavailable");
    expect(await filesUnder(join(dir, "files", "tmp"))).toEqual([]);
  });
});
