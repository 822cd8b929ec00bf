import { createHook } from "node:async_hooks";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { POSTGRES_URL } from "./env.js";

/**
 * Makes a test fail when it leaves a server, a socket, a child process or a timer of the project behind, and a
 * file fail when its `afterAll` hooks leave behind what its `beforeAll` hooks made.
 *
 * Resources are followed from their creation (async_hooks init) to their end (destroy); what a test created,
 * its suite's afterEach hooks included, must be gone once those hooks ran. Timers count only when project code
 * (src/ or test/) called setTimeout/setInterval itself: Node's and libraries' internal timers are theirs.
 * `test/setup.ts` calls it for every test file (vitest `setupFiles`): hooks registered there come before the
 * file's own, so they wrap the suite's (its after-hooks run last, `sequence.hooks: "stack"`).
 *
 * What a test may leave, because it belongs to something longer-lived (the file-level check still sees it):
 * - a connection to a server that was listening before the test began, in this process or in a child noted with
 *   {@link noteServer}: HTTP clients keep such connections for reuse (fetch's global agent, Node's http agent, the
 *   sender's agent), and they end when that server closes;
 * - a connection to the test PostgreSQL server: a store's `pg` pool keeps idle clients, which end when the store
 *   closes;
 * - the process's own stdin/stdout/stderr, which Node opens on first use (a first log line) and never closes.
 * Tests that run at once (`it.concurrent`) share one window, checked when the last of them ends: what each one
 * made cannot be told apart.
 */
const WATCHED = new Set(["TCPSERVERWRAP", "TCPWRAP", "PROCESSWRAP", "PIPEWRAP", "Timeout"]);

/**
 * Project timers that end by themselves and belong to a server, not to the test that woke them: BodyWatch's one
 * timer serves every request body of a server and clears itself on its first tick with no body left (up to 1 s
 * later, longer than this check waits). A server the test started itself is checked as a TCPSERVERWRAP.
 */
const SELF_ENDING_TIMERS = [/^BodyWatch\.watch /];

interface Live {
  type: string;
  where: string;
  /** The handle itself (a TCP or pipe handle), to ask for its ports or descriptor when the check runs. */
  handle: object;
}

/** Servers that the checks know of, by port: whether each began listening during the current test window. */
const servers = new Map<number, { port: () => number | null; duringTest: boolean }>();
let tracking = false;

/**
 * Tells the leak check that a server of another process (a child `hookline serve`) listens on `port`, so that
 * pooled connections to it are judged like connections to this process's own servers.
 */
export function noteServer(port: number): void {
  servers.set(-port, { port: () => port, duringTest: tracking });
}

/** The project frame (src/ or test/, not a library) in a creation stack, if any. */
function projectFrame(lines: string[]): string | null {
  const line = lines.find(
    (l) => !l.includes("node_modules") && !l.includes("node:") && /\/(src|test)\//.test(l),
  );
  return line?.trim().replace(/^at /, "") ?? null;
}

/** Who called setTimeout/setInterval; null for timers that Node or a library set for itself. */
function timerCaller(lines: string[]): string | null {
  const at = lines.findIndex((l) => /at (setTimeout|setInterval) \(node:timers/.test(l));
  const caller = at < 0 ? undefined : lines[at + 1];
  return caller && projectFrame([caller]) !== null ? caller.trim().replace(/^at /, "") : null;
}

/**
 * The local or peer port of a TCP handle, or null once it is closed. Node's TCP handles have
 * `getsockname(out)`/`getpeername(out)`, which fill `out` and answer 0 on success; they are not in the typings.
 */
function handlePort(resource: object, which: "getsockname" | "getpeername"): number | null {
  // Node's http agent announces a kept-alive socket it hands out again as a new TCPWRAP whose resource is a
  // ReusedHandle `{ type, handle }` around the real handle.
  const inner: unknown = Reflect.get(resource, "handle");
  const handle = typeof inner === "object" && inner !== null ? inner : resource;
  const fn: unknown = Reflect.get(handle, which);
  if (typeof fn !== "function") return null;
  const out: { port?: unknown } = {};
  const rc: unknown = Reflect.apply(fn, handle, [out]);
  return rc === 0 && typeof out.port === "number" ? out.port : null;
}

/** True for a pipe handle on descriptor 0, 1 or 2 (a pipe handle's `fd`, not in the typings). */
function isStdio(handle: object): boolean {
  const fd: unknown = Reflect.get(handle, "fd");
  return typeof fd === "number" && fd >= 0 && fd <= 2;
}

const POSTGRES_PORT = POSTGRES_URL ? Number(new URL(POSTGRES_URL).port || 5432) : null;

function describeLive(l: Live): string {
  if (l.type !== "TCPWRAP") return `${l.type} at ${l.where}`;
  const local = handlePort(l.handle, "getsockname");
  const peer = handlePort(l.handle, "getpeername");
  return `TCPWRAP (port ${local ?? "?"} to ${peer ?? "?"}) at ${l.where}`;
}

export function failOnLeaks(): void {
  /** What the current test window made. */
  const live = new Map<number, Live>();
  /** What the file made since its first beforeAll hook. */
  const fileLive = new Map<number, Live>();
  let trackingFile = false;
  /** Tests running now (more than one under `it.concurrent`). */
  let running = 0;
  const hook = createHook({
    init(id, type, _trigger, resource) {
      if (type === "TCPSERVERWRAP") {
        servers.set(id, { port: () => handlePort(resource, "getsockname"), duringTest: tracking });
      }
      if (!WATCHED.has(type) || !(tracking || trackingFile)) return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 40;
      const stack = new Error().stack ?? "";
      Error.stackTraceLimit = limit;
      const lines = stack
        .split("\n")
        .slice(1)
        .filter((l) => !l.includes("/leaks.ts"));
      const where = type === "Timeout" ? timerCaller(lines) : (projectFrame(lines) ?? "(inside a library)");
      if (where === null || (type === "Timeout" && SELF_ENDING_TIMERS.some((re) => re.test(where)))) return;
      const entry = { type, where, handle: resource };
      if (trackingFile) fileLive.set(id, entry);
      if (tracking) live.set(id, entry);
    },
    destroy(id) {
      live.delete(id);
      fileLive.delete(id);
      servers.delete(id);
    },
  });
  hook.enable();

  /** Ports of servers that were listening before the test window began. */
  const olderServerPorts = (): Set<number> => {
    const ports = new Set<number>();
    for (const s of servers.values()) {
      const port = s.duringTest ? null : s.port();
      if (port !== null) ports.add(port);
    }
    return ports;
  };
  /** What is still alive in `from`, less what a test may leave (see above). */
  const leaks = (from: Map<number, Live>, excuse: boolean): Live[] => {
    const older = excuse ? olderServerPorts() : new Set<number>();
    if (excuse && POSTGRES_PORT !== null) older.add(POSTGRES_PORT);
    return [...from.values()].filter((l) => {
      if (l.type === "PIPEWRAP") return !isStdio(l.handle);
      if (l.type !== "TCPWRAP" || !excuse) return true;
      const local = handlePort(l.handle, "getsockname");
      const peer = handlePort(l.handle, "getpeername");
      return !((local !== null && older.has(local)) || (peer !== null && older.has(peer)));
    });
  };
  /** Waits a little for closing handles to be destroyed, then throws if some are left. */
  const check = async (from: Map<number, Live>, excuse: boolean, what: string) => {
    // Closed sockets and servers are destroyed a few ticks after their close callbacks.
    for (let i = 0; i < 50 && leaks(from, excuse).length > 0; i++) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 25 && leaks(from, excuse).length > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    const left = leaks(from, excuse);
    from.clear();
    if (left.length > 0)
      throw new Error(`${what} leaked live handles:\n  ${left.map(describeLive).join("\n  ")}`);
  };

  beforeAll(() => {
    fileLive.clear();
    trackingFile = true;
  });
  beforeEach(() => {
    if (running++ > 0) return;
    live.clear();
    for (const s of servers.values()) s.duringTest = false;
    tracking = true;
  });
  afterEach(async () => {
    if (--running > 0) return;
    tracking = false;
    await check(live, true, "the test");
  });
  afterAll(async () => {
    trackingFile = false;
    await check(fileLive, false, "the test file (its afterAll hooks left what it made)");
  });
}
