import { afterAll, afterEach, beforeAll, expect } from "vitest";

/**
 * Fails the test during which an exception went uncaught (vitest would also fail the run, but without naming the
 * test): `uncaughtExceptionMonitor` only watches, it changes nothing about how the exception is handled.
 */
export function failOnUncaught(): void {
  const seen: unknown[] = [];
  const watch = (err: unknown): void => {
    seen.push(err);
  };
  beforeAll(() => {
    process.on("uncaughtExceptionMonitor", watch);
  });
  afterEach(() => {
    expect(seen.splice(0).map(String), "uncaught exceptions").toEqual([]);
  });
  afterAll(() => {
    process.off("uncaughtExceptionMonitor", watch);
  });
}
