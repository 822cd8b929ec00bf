import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.js";
import { startCheckpointer } from "../../src/store/sqlite-checkpointer.js";
import { waitFor } from "../helpers/wait.js";

const driver = createRequire(import.meta.url).resolve("better-sqlite3");
const walSize = (path: string) => statSync(`${path}-wal`).size;

/** The WAL header's checkpoint sequence number (bytes 12–15, big-endian): it moves on each time the WAL restarts. */
function walSequence(path: string): number {
  const header = Buffer.alloc(16);
  const fd = openSync(`${path}-wal`, "r");
  try {
    return readSync(fd, header, 0, 16, 0) === 16 ? header.readUInt32BE(12) : 0;
  } finally {
    closeSync(fd);
  }
}

/**
 * SQLite's WAL checkpoints run on a worker thread (the main connection's automatic checkpoint is off). These
 * tests watch the real files: a checkpoint shows as a WAL that starts over instead of growing.
 */
describe("SQLite checkpoints on a worker thread", () => {
  let dir: string | null = null;
  let store: Store | null = null;
  afterEach(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    store = dir = null;
  });

  it("checkpoints after counted commits, so the next write starts the WAL over", async () => {
    dir = mkdtempSync(join(tmpdir(), "hookline-ckpt-"));
    const path = join(dir, "t.db");
    const db = new BetterSqlite3(path);
    db.pragma("journal_mode = WAL");
    db.pragma("wal_autocheckpoint = 0");
    db.exec("create table t (x text)");
    const failures: unknown[] = [];
    const checkpointer = startCheckpointer({
      path,
      driver,
      onFailure: (e) => failures.push(e),
      intervalMs: 20,
    });
    try {
      const insert = db.prepare("insert into t (x) values (?)");
      db.transaction(() => {
        for (let i = 0; i < 500; i++) insert.run("x".repeat(1000));
      })();
      const grown = walSize(path);
      expect(grown).toBeGreaterThan(400_000);
      checkpointer.committed();
      await waitFor("checkpointer.checkpoints() > 0", () => checkpointer.checkpoints() > 0);
      // Every frame was copied back, so this commit overwrites the WAL from its start: it does not grow.
      insert.run("y");
      expect(walSize(path)).toBe(grown);
      expect(db.prepare("select count(*) as n from t").get()).toEqual({ n: 501 });
      expect(failures).toEqual([]);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it("under writes that never stop, pauses them once in a while so that the WAL starts over", async () => {
    dir = mkdtempSync(join(tmpdir(), "hookline-ckpt-"));
    const path = join(dir, "t.db");
    const db = new BetterSqlite3(path);
    db.pragma("journal_mode = WAL");
    db.pragma("wal_autocheckpoint = 0");
    db.exec("create table t (x text)");
    const checkpointer = startCheckpointer({
      path,
      driver,
      onFailure: (e) => {
        throw e;
      },
      intervalMs: 10,
      restartFrames: 64,
    });
    const insert = db.prepare("insert into t (x) values (?)");
    const write = db.transaction(() => {
      for (let i = 0; i < 5; i++) insert.run("x".repeat(4000));
    });
    let frames = 0;
    try {
      const end = Date.now() + 20_000;
      // As sqliteTransact does: await the gate, write, count the commit; never wait for anything else.
      while (checkpointer.pauses() < 3 && Date.now() < end) {
        const pause = checkpointer.gate();
        if (pause) await pause;
        write();
        frames += 5;
        checkpointer.committed();
        await new Promise((r) => setImmediate(r));
      }
      expect(checkpointer.pauses()).toBeGreaterThanOrEqual(3);
      // The WAL now holds the frames since its last start: without restarts, it would hold every page written.
      const [result] = db.pragma("wal_checkpoint(PASSIVE)") as { log: number }[];
      expect(result?.log).toBeLessThan(frames / 2);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it("reports a thread that cannot work, so that SQLite's own checkpoints can take over", async () => {
    const failures: unknown[] = [];
    const checkpointer = startCheckpointer({
      path: "/nonexistent/hookline/t.db",
      driver,
      onFailure: (e) => failures.push(e),
    });
    await waitFor("failures.length > 0", () => failures.length > 0);
    await checkpointer.stop();
    expect(String(failures[0])).toMatch(/directory does not exist|unable to open/i);
  });

  it("a store's WAL stays bounded over many transactions, and closing stops the thread", async () => {
    dir = mkdtempSync(join(tmpdir(), "hookline-ckpt-"));
    const path = join(dir, "s.db");
    store = await openStore({ kind: "sqlite", path });
    const s = store;
    const value = "v".repeat(8000);
    let frames = 0;
    // Each transaction writes about 3 pages (more, with its overflow pages): without checkpoints the WAL would
    // hold every one of them. Writes until the WAL has started over twice (its header's checkpoint sequence moves
    // on at each start) and holds less than half of what was written, at most 30 s: on a loaded machine the thread
    // may need a while; without it neither would ever happen.
    const first = walSequence(path);
    const bounded = () => walSequence(path) - first >= 2 && walSize(path) < (frames * 4096) / 2;
    const end = Date.now() + 30_000;
    for (let round = 0; !bounded() && Date.now() < end; round++) {
      for (let i = 0; i < 40; i++) {
        await s.transact((trx) =>
          trx
            .insertInto("settings")
            .values({ key: `${round}.${i}`, value })
            .execute(),
        );
        frames += 3;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(walSequence(path) - first).toBeGreaterThanOrEqual(2);
    expect(walSize(path)).toBeLessThan((frames * 4096) / 2);
    await s.close();
    store = null;
  });
});
