import { chmod, mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BlobStore, createLocalBlobStore, HEAD_BYTES } from "../../src/files/index.js";
import { HooklineError } from "../../src/lib/errors.js";
import { filesUnder } from "../helpers/blobs.js";

let dir: string;
let store: BlobStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hookline-blob-"));
  store = await createLocalBlobStore(join(dir, "files"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function bytes(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

async function* chunks(data: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield new Uint8Array(data.subarray(i, i + size));
}

describe("local blob store", () => {
  it("commits a filled temp file under a random key and reads it back", async () => {
    const tmp = store.tempPath(".wav");
    // In this process's own temp folder: root/tmp/<pid>-<random>@<place>.
    expect(dirname(tmp)).toBe(store.tempDir);
    expect(relative(join(dir, "files", "tmp"), store.tempDir)).toMatch(
      new RegExp(`^${process.pid}-[0-9a-f]{8}@`),
    );
    expect(tmp.endsWith(".wav")).toBe(true);
    const data = bytes(10_000);
    await writeFile(tmp, data);

    const { key, size } = await store.commit(tmp);
    expect(size).toBe(10_000);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(await readFile(store.pathOf(key))).toEqual(data);
    expect(await store.exists(key)).toBe(true);
    await expect(stat(tmp)).rejects.toThrow(); // moved, not copied
  });

  it("streams a source to a blob and returns the first 4 KB for sniffing", async () => {
    const data = bytes(100_000);
    const { key, size, head } = await store.writeStream(chunks(data, 1000), { maxBytes: 100_000 });
    expect(size).toBe(100_000);
    expect(Buffer.from(head)).toEqual(data.subarray(0, HEAD_BYTES));
    expect(await readFile(store.pathOf(key))).toEqual(data);
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
    expect(await readFile(store.pathOf(key))).toEqual(data);
  });

  it("stops past maxBytes with payload_too_large and leaves no temp file", async () => {
    const err = await store
      .writeStream(chunks(bytes(5000), 512), { maxBytes: 4999 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HooklineError);
    expect((err as HooklineError).code).toBe("payload_too_large");
    expect(await filesUnder(join(dir, "files", "tmp"))).toEqual([]);
  });

  it("removes the temp file when the source fails", async () => {
    async function* failing(): AsyncIterable<Uint8Array> {
      yield new Uint8Array(10);
      throw new Error("connection reset");
    }
    await expect(store.writeStream(failing(), { maxBytes: 100 })).rejects.toThrow("connection reset");
    expect(await filesUnder(join(dir, "files", "tmp"))).toEqual([]);
  });

  it("lays keys out as root/ab/cd/<key>, with nothing taken from user input", async () => {
    const { key } = await store.writeStream(chunks(bytes(10), 10), { maxBytes: 10 });
    const rel = relative(join(dir, "files"), store.pathOf(key)).split(sep);
    expect(rel).toEqual([key.slice(0, 2), key.slice(2, 4), key]);

    // An extension that could name a path is dropped, not trusted.
    for (const ext of ["../../etc/passwd", "/x", "a b", ".w/av", "..", "\u00e9t\u00e9"]) {
      const p = store.tempPath(ext);
      expect(relative(store.tempDir, p)).toMatch(/^[0-9a-f]{24}$/);
    }
    // Keys that were not made by the store are refused.
    for (const bad of ["../../etc/passwd", "ab/cd", "", key.toUpperCase(), `${key}x`]) {
      expect(() => store.pathOf(bad)).toThrow(HooklineError);
    }
    // commit only takes paths from tempPath().
    const outside = join(dir, "outside.bin");
    await writeFile(outside, "x");
    await expect(store.commit(outside)).rejects.toThrow(HooklineError);
    await expect(store.commit(join(dir, "files", "tmp", "..", "..", "outside.bin"))).rejects.toThrow(
      HooklineError,
    );
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
    expect(await filesUnder(join(dir, "files", "tmp"))).toEqual([]);
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

  it.skipIf(process.platform === "win32")(
    "keeps folders 0700 and blobs 0600, and restricts an open tree",
    async () => {
      const mode = async (p: string) => ((await stat(p)).mode & 0o777).toString(8);
      const streamed = await store.writeStream(chunks(bytes(10), 10), { maxBytes: 10 });
      const tmp = store.tempPath(".wav");
      await writeFile(tmp, "RIFF", { mode: 0o644 }); // as ffmpeg would write it
      const committed = await store.commit(tmp);
      for (const key of [streamed.key, committed.key]) {
        expect(await mode(store.pathOf(key))).toBe("600");
        expect(await mode(dirname(store.pathOf(key)))).toBe("700");
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
