/**
 * The idempotency stores: in-memory (bounded, TTL) and SQLite (durable, shared between processes), with the
 * in-flight marker that keeps two concurrent deliveries of one message from both being processed.
 */
import { fork } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type IdempotencyStore,
  MemoryIdempotencyStore,
  openSqliteIdempotencyStore,
} from "../../src/client/index.js";
import { type TmpDir, tmpDir } from "../helpers/audio.js";

let dir: TmpDir;
beforeAll(async () => {
  dir = await tmpDir("idem");
});
afterAll(() => dir.cleanup());

const stores: [string, () => Promise<IdempotencyStore>][] = [
  ["memory", async () => new MemoryIdempotencyStore()],
  ["sqlite", () => openSqliteIdempotencyStore(join(dir.path, `s-${Math.random()}.db`))],
];

describe.each(stores)("%s idempotency store", (_name, open) => {
  it("claims once, reports in-flight and done, forgets after the TTL", async () => {
    const s = await open();
    expect(await s.claim("m1", 1000, 60_000)).toBe("claimed");
    expect(await s.claim("m1", 1001, 60_000)).toBe("in_flight");
    await s.complete("m1", 2000, 10_000);
    expect(await s.claim("m1", 11_999, 60_000)).toBe("done");
    expect(await s.claim("m1", 12_000, 60_000)).toBe("claimed");
    await s.close?.();
  });

  it("a released or expired in-flight marker lets the next delivery process the message", async () => {
    const s = await open();
    expect(await s.claim("m2", 0, 1000)).toBe("claimed");
    await s.release("m2");
    expect(await s.claim("m2", 1, 1000)).toBe("claimed");
    // The holder died: after its lease another delivery takes the message over.
    expect(await s.claim("m2", 1001, 1000)).toBe("claimed");
    // release never forgets a message that is done.
    await s.complete("m2", 2000, 10_000);
    await s.release("m2");
    expect(await s.claim("m2", 2001, 1000)).toBe("done");
    await s.close?.();
  });

  it("concurrent claims of one id: exactly one wins", async () => {
    const s = await open();
    const states = await Promise.all(Array.from({ length: 20 }, () => s.claim("m3", 5, 60_000)));
    expect(states.filter((x) => x === "claimed")).toHaveLength(1);
    await s.close?.();
  });
});

describe("bounds and durability", () => {
  it("the memory store keeps at most maxEntries, dropping the oldest", async () => {
    const s = new MemoryIdempotencyStore({ maxEntries: 3 });
    for (const k of ["a", "b", "c", "d"]) await s.complete(k, 0, 60_000);
    expect(s.size).toBe(3);
    expect(await s.claim("d", 1, 1000)).toBe("done");
    expect(await s.claim("a", 1, 1000)).toBe("claimed");
  });

  it("the SQLite store survives a reopen and is shared by two processes", async () => {
    const path = join(dir.path, "shared.db");
    const s = await openSqliteIdempotencyStore(path);
    await s.complete("kept", Date.now(), 60_000);
    await s.close?.();
    const again = await openSqliteIdempotencyStore(path);
    expect(await again.claim("kept", Date.now(), 1000)).toBe("done");
    // Two other processes race for 2000 ids, started together: every id is won exactly once.
    const file = join(dir.path, "racer.mjs");
    await writeFile(
      file,
      `import { openSqliteIdempotencyStore } from ${JSON.stringify(new URL("../../dist/src/receiver/index.js", import.meta.url).href)};
      const s = await openSqliteIdempotencyStore(process.argv[2]);
      process.send("ready");
      await new Promise((r) => process.once("message", r));
      const won = [];
      for (let i = 0; i < 2000; i++) if ((await s.claim("race" + i, Date.now(), 60000)) === "claimed") won.push(i);
      process.send(won); await s.close(); process.disconnect();`,
    );
    const racers = [fork(file, [path], { execArgv: [] }), fork(file, [path], { execArgv: [] })];
    await Promise.all(racers.map((c) => new Promise((r) => c.once("message", r))));
    const results = racers.map(
      (c) => new Promise<number[]>((r) => c.once("message", (m) => r(m as number[]))),
    );
    for (const c of racers) c.send("go");
    const [a, b] = await Promise.all(results);
    expect([...a!, ...b!].sort((x, y) => x - y)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    await again.close?.();
  });
});
