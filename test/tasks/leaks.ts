import { createHook } from "node:async_hooks";
import { afterEach, beforeEach } from "vitest";

/**
 * Makes a test fail when it leaves a server, a socket, a child process or a timer of the project behind.
 * Resources are followed from their creation (async_hooks init) to their end (destroy); what a test created,
 * its suite's afterEach hooks included, must be gone once those hooks ran. Timers count only when project code
 * (src/ or test/) called setTimeout/setInterval itself: Node's and libraries' internal timers are theirs.
 * Call it at the top level of a test file, before any describe, so that its hooks wrap the suite's.
 */
const WATCHED = new Set(["TCPSERVERWRAP", "TCPWRAP", "PROCESSWRAP", "PIPEWRAP", "Timeout"]);

interface Live {
  type: string;
  where: string;
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

export function failOnLeaks(): void {
  const live = new Map<number, Live>();
  let tracking = false;
  const hook = createHook({
    init(id, type) {
      if (!tracking || !WATCHED.has(type)) return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 40;
      const stack = new Error().stack ?? "";
      Error.stackTraceLimit = limit;
      const lines = stack
        .split("\n")
        .slice(1)
        .filter((l) => !l.includes("/leaks.ts"));
      const where = type === "Timeout" ? timerCaller(lines) : (projectFrame(lines) ?? "(inside a library)");
      if (where !== null) live.set(id, { type, where });
    },
    destroy(id) {
      live.delete(id);
    },
  });
  hook.enable();

  beforeEach(() => {
    live.clear();
    tracking = true;
  });
  // Registered at the top level, this runs after the describe blocks' afterEach hooks.
  afterEach(async () => {
    tracking = false;
    // Closed sockets and servers are destroyed a few ticks after their close callbacks.
    for (let i = 0; i < 50 && live.size > 0; i++) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 25 && live.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    if (live.size > 0) {
      const list = [...live.values()].map((l) => `${l.type} at ${l.where}`);
      live.clear();
      throw new Error(`the test leaked live handles:\n  ${list.join("\n  ")}`);
    }
  });
}
