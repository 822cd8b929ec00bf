import { afterEach, describe, expect, it } from "vitest";
import { dialects, freshStore } from "../helpers/db.js";

type Fresh = Awaited<ReturnType<typeof freshStore>>;

describe.each(dialects())("group-committed request writes on %s", (dialect) => {
  let store: Fresh | null = null;
  afterEach(async () => {
    await store?.drop();
    store = null;
  });

  const insert = (s: Fresh, key: string) =>
    s.batched(async (trx) => {
      await trx.insertInto("settings").values({ key, value: "v" }).execute();
      return key;
    });

  it("commits callers that arrive together in one transaction, each in its own savepoint", async () => {
    store = await freshStore(dialect);
    const s = store;
    const failing = s.batched(async (trx) => {
      await trx.insertInto("settings").values({ key: "doomed", value: "v" }).execute();
      throw new Error("duplicate");
    });
    const results = await Promise.allSettled([insert(s, "a"), failing, insert(s, "b"), insert(s, "c")]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    const keys = (await s.db.selectFrom("settings").select("key").orderBy("key").execute()).map((r) => r.key);
    // The failing caller's own write is rolled back; the others' survive.
    expect(keys).toEqual(["a", "b", "c"]);
  });

  it("rejects only the caller whose statement fails, and keeps serving later callers", async () => {
    store = await freshStore(dialect);
    const s = store;
    await insert(s, "taken");
    // A primary-key clash inside a savepoint is rolled back to the savepoint, so it fails only its caller.
    const clash = s.batched((trx) =>
      trx.insertInto("settings").values({ key: "taken", value: "x" }).execute(),
    );
    await expect(clash).rejects.toThrow();
    await expect(insert(s, "after")).resolves.toBe("after");
  });

  it("handles a burst larger than one batch", async () => {
    store = await freshStore(dialect);
    const s = store;
    const keys = Array.from({ length: 600 }, (_, i) => `k${String(i).padStart(3, "0")}`);
    await Promise.all(keys.map((k) => insert(s, k)));
    const count = await s.db
      .selectFrom("settings")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(600);
  });
});
