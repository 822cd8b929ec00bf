import { describe, expect, it } from "vitest";
import { HooklineError } from "../../src/lib/errors.js";
import { formatSimulation, parseSimulation } from "../../src/simulation/index.js";

describe("parseSimulation", () => {
  it("reads every part, alone and combined, in either separator", () => {
    expect(parseSimulation("fail=501")).toEqual({ fail: 501 });
    expect(parseSimulation(" delay = 2.5 ")).toEqual({ delayS: 2.5 });
    expect(parseSimulation("duplicate=2")).toEqual({ duplicates: 2 });
    expect(parseSimulation("bad-signature")).toEqual({ badSignature: true });
    expect(parseSimulation("fail=408; delay=10, duplicates=1,bad-signature")).toEqual({
      fail: 408,
      delayS: 10,
      duplicates: 1,
      badSignature: true,
    });
  });

  it("reads nothing and off as no simulation", () => {
    expect(parseSimulation("")).toBeNull();
    expect(parseSimulation("  OFF ")).toBeNull();
  });

  it("refuses codes, delays and counts out of range, and unknown parts, with the grammar", () => {
    for (const text of [
      "fail=200",
      "fail=abc",
      "fail",
      "delay=-1",
      "delay=3601",
      "duplicate=0",
      "duplicate=6",
      "duplicate=1.5",
      "bad-signature=yes",
      "explode",
      "fail=500=1",
    ]) {
      let caught: unknown;
      try {
        parseSimulation(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(HooklineError);
      expect((caught as HooklineError).code).toBe("bad_request");
      expect((caught as HooklineError).message).toMatch(/fail=400\|408\|451\|500\|501\|531/);
    }
  });

  it("formats what it reads back", () => {
    for (const text of ["fail=451", "delay=3,duplicate=2", "fail=531,delay=1,duplicate=5,bad-signature"]) {
      expect(formatSimulation(parseSimulation(text))).toBe(text);
    }
    expect(formatSimulation(null)).toBe("off");
  });
});
