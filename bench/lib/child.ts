import type { ChildProcess } from "node:child_process";

/** The benchmark's environment without any HOOKLINE_ setting, plus `env`: a child Hookline sees only what it is given. */
export function hooklineEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("HOOKLINE_")) base[k] = v;
  return { ...base, ...env };
}

/**
 * Resolves with the match once the child's stdout shows `ready` (its banner); rejects, with what it printed, when
 * it exits or cannot be started first. Later output is read and dropped, so that the pipe never fills.
 */
export function untilPrinted(child: ChildProcess, ready: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const found = ready.exec(out);
      if (!found) return;
      child.stdout?.off("data", onData);
      child.stdout?.resume();
      resolve(found);
    };
    child.stdout?.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${what} exited (${code}) before it was ready:\n${out}`)));
  });
}

/** Stops a child gracefully (SIGTERM), killing it when it has not exited within 15 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}
