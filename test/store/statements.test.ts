import { afterEach, describe, expect, it } from "vitest";
import { dialectOf, exec, powerOfTwoChunks, query, repeated, statement } from "../../src/store/index.js";
import { dialects, freshStore } from "../helpers/db.js";

describe("powerOfTwoChunks", () => {
  it("splits into power-of-two sizes, largest first, never above the maximum", () => {
    const sizes = (n: number, max?: number) =>
      powerOfTwoChunks(
        Array.from({ length: n }, (_, i) => i),
        max,
      ).map((c) => c.length);
    expect(sizes(0)).toEqual([]);
    expect(sizes(1)).toEqual([1]);
    expect(sizes(37)).toEqual([32, 4, 1]);
    expect(sizes(64)).toEqual([64]);
    expect(sizes(130)).toEqual([64, 64, 2]);
    expect(sizes(7, 4)).toEqual([4, 2, 1]);
    expect(powerOfTwoChunks([1, 2, 3]).flat()).toEqual([1, 2, 3]);
  });
});

describe.each(dialects())("precompiled statements on %s", (dialect) => {
  let store: Awaited<ReturnType<typeof freshStore>> | null = null;
  afterEach(async () => {
    await store?.drop();
    store = null;
  });

  const put = repeated("insert into settings (key, value) values ", "(?, ?)", "");
  // The shape of the sender's batched update: a VALUES list in FROM, typed for PostgreSQL.
  const rename = repeated<{ key: string }>(
    "update settings set value = v.column2 from (values ",
    (d) => `(${d.typed("text")}, ${d.typed("text")})`,
    ") as v where settings.key = v.column1 and settings.value <> ? returning settings.key",
  );
  const byKey = statement<{ value: string }>("select value from settings where key = ?");

  it("knows its dialect inside and outside transactions", async () => {
    store = await freshStore(dialect);
    expect(dialectOf(store.db)).toBe(dialect);
    expect(await store.transact(async (trx) => dialectOf(trx))).toBe(dialect);
  });

  it("runs multi-row inserts and a multi-row update from a VALUES list, in and out of a transaction", async () => {
    store = await freshStore(dialect);
    const s = store;
    expect(await exec(s.db, put(3), ["a", "1", "b", "2", "c", "3"])).toBe(3);
    const moved = await s.transact((trx) => query(trx, rename(2), ["a", "x", "c", "y", "locked"]));
    expect(moved.map((r) => r.key).sort()).toEqual(["a", "c"]);
    // The condition after the VALUES list applies per row: "b" already holds the value it names.
    await exec(s.db, put(1), ["d", "locked"]);
    expect((await query(s.db, rename(2), ["b", "z", "d", "w", "locked"])).map((r) => r.key)).toEqual(["b"]);
    const values = await Promise.all(["a", "b", "c", "d"].map((k) => query(s.db, byKey, [k])));
    expect(values.map((rows) => rows[0]?.value)).toEqual(["x", "z", "y", "locked"]);
  });

  it("rolls back with the transaction it ran in", async () => {
    store = await freshStore(dialect);
    const s = store;
    await expect(
      s.transact(async (trx) => {
        await exec(trx, put(2), ["a", "1", "b", "2"]);
        throw new Error("undo");
      }),
    ).rejects.toThrow("undo");
    expect(await query(s.db, byKey, ["a"])).toEqual([]);
  });

  it("gives PostgreSQL numbered parameters and keeps each count's text", () => {
    expect(byKey.postgres).toBe("select value from settings where key = $1");
    expect(put(2).sqlite).toBe("insert into settings (key, value) values (?, ?), (?, ?)");
    expect(put(2).postgres).toBe("insert into settings (key, value) values ($1, $2), ($3, $4)");
    expect(rename(1).postgres).toContain("($1::text, $2::text)) as v");
    expect(rename(1).postgres).toContain("settings.value <> $3");
    expect(put(2)).toBe(put(2));
  });

  it("writes the parts that differ between the databases into each one's text", () => {
    const claim = statement(
      (d) => `select ${d.rowKey}, ${d.greatest}(1, ?) from settings limit ?${d.skipLocked}`,
    );
    expect(claim.sqlite).toBe("select rowid, max(1, ?) from settings limit ?");
    expect(claim.postgres).toBe("select id, greatest(1, $1) from settings limit $2 for update skip locked");
  });
});
