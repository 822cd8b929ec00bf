/**
 * Migration 0012 moves "what started this round" out of the simulation's text into its own column: messages
 * whose round had begun before the upgrade keep the trigger their first attempt would have been logged with.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";

const T = Date.parse("2026-03-01T12:00:00Z");

describe.each(dialects())("0012_round_trigger on %s", (dialect) => {
  const opened: Store[] = [];
  let database: TestDb | null = null;

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await database?.drop();
    database = null;
  });

  it("keeps each waiting round's trigger: a simulated repetition, a redelivery, a first round", async () => {
    database = await freshDatabase(dialect);
    const before = await openStore(database.target, { migrateTo: "0011_rate_limits" });
    opened.push(before);
    const message = (id: string, rounds: number, total: number, simulate: string | null) => ({
      ...{ id, task_id: "t".repeat(32), owner_id: "key_a", event: "complete", url: "http://127.0.0.1:9/x" },
      ...{ body: "{}", sign_task_id: "t".repeat(32), state: "pending", round_attempts: rounds },
      ...{ total_attempts: total, next_at: T, lease_owner: null, lease_until: null, created_at: T },
      ...{ delivered_at: null, simulate },
    });
    // Written as 0011 left the table: no round_trigger column yet.
    await before.db
      .insertInto("messages")
      .values([
        message("msg_repeat", 0, 1, JSON.stringify({ duplicates: 1, badSignature: false, repeat: true })),
        message("msg_manual", 0, 3, JSON.stringify({ duplicates: 0, badSignature: true, repeat: false })),
        message("msg_manual_plain", 0, 2, null),
        message("msg_first", 0, 0, null),
        message("msg_retrying", 2, 2, null),
      ])
      .execute();
    await before.close();
    opened.splice(0);
    const after = await openStore(database.target);
    opened.push(after);
    const rows = await after.db
      .selectFrom("messages")
      .select(["id", "round_trigger"])
      .orderBy("id")
      .execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.round_trigger]))).toEqual({
      msg_first: "auto",
      msg_manual: "manual",
      msg_manual_plain: "manual",
      msg_repeat: "duplicate",
      msg_retrying: "auto",
    });
  });
});
