/**
 * What counts as a lost database connection (the runner gives such a run back instead of failing its task), and
 * the listener's reconnection pauses. The errors are real: a refused connection and a cut one, made by `pg`.
 */
import { createServer } from "node:net";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { isConnectionError } from "../../src/store/index.js";
import { backoffMs } from "../../src/store/postgres-listen.js";

describe("isConnectionError", () => {
  it("knows pg's refused and cut connections, and no other failure", async () => {
    // A server that accepts and at once hangs up: pg's "Connection terminated unexpectedly".
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    const cut = new pg.Client({ host: "127.0.0.1", port, user: "x", database: "x" });
    const cutError = await cut.connect().then(
      () => null,
      (e: unknown) => e,
    );
    await new Promise<void>((r) => server.close(() => r()));
    // The port is closed now: refused.
    const refused = new pg.Client({ host: "127.0.0.1", port, user: "x", database: "x" });
    const refusedError = await refused.connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isConnectionError(cutError)).toBe(true);
    expect(isConnectionError(refusedError)).toBe(true);
    expect(isConnectionError(Object.assign(new Error("terminating connection"), { code: "57P01" }))).toBe(
      true,
    );
    expect(isConnectionError(new Error("wrapped", { cause: refusedError }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    expect(isConnectionError(new Error("ffmpeg exited 1"))).toBe(false);
    expect(isConnectionError("Connection terminated")).toBe(false);
  });

  it("reconnection pauses double from 1 s and stop at 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffMs(n))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });
});
