import { describe, expect, it } from "vitest";
import { newMessageId, newTaskId } from "../../src/lib/ids.js";

describe("message ids", () => {
  it("keep the contract's form: msg_ and 26 base32 characters, all distinct", () => {
    const ids = Array.from({ length: 2000 }, () => newMessageId());
    for (const id of ids) expect(id).toMatch(/^msg_[a-z2-7]{26}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("sort as text in the order they were made (ms resolution), with 80 random bits after the time", () => {
    const t = Date.parse("2026-11-30T12:00:00Z");
    const times = [0, 1, 31, 32, 1023, 1024, t - 1, t, t + 1, t + 86_400_000, 2 ** 48 - 1];
    const ids = times.map((ms) => newMessageId(ms));
    expect([...ids].sort()).toEqual(ids);
    // Same millisecond: same 10-character time prefix, random tails.
    const same = Array.from({ length: 50 }, () => newMessageId(t));
    expect(new Set(same.map((id) => id.slice(0, 14))).size).toBe(1);
    expect(new Set(same.map((id) => id.slice(14))).size).toBe(50);
  });
});

describe("task ids", () => {
  it("are 32 lowercase hex characters that sort in the order they were made, with 80 random bits", () => {
    const t = Date.parse("2026-11-30T12:00:00Z");
    const ids = [0, 1, 255, 256, t, t + 1, t + 3_600_000].map((ms) => newTaskId(ms));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect([...ids].sort()).toEqual(ids);
    const same = Array.from({ length: 50 }, () => newTaskId(t));
    expect(new Set(same.map((id) => id.slice(0, 12))).size).toBe(1);
    expect(new Set(same).size).toBe(50);
  });
});
