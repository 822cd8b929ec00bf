/**
 * Runs the built CLI (`node dist/src/cli/main.js`, made by `npm run build`) as a real child process, with an
 * environment that holds no HOOKLINE_ variable of the test runner's own.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { CLI_PATH, childEnv, runCli as runChild } from "../helpers/process.js";

export const MAIN = CLI_PATH;

/** Fails early with the fix when the build is missing. */
export function requireBuild(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before the CLI tests`);
}

/** Runs one command to its end (at most 30 s), with the shared child-process helper. */
export const runCli = (args: string[], env: Record<string, string>) => runChild(args, env);

export type CliResult = Awaited<ReturnType<typeof runCli>>;

/** A running `hookline serve`; `stop()` sends SIGTERM and answers the exit code. */
export interface Served {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  stop(): Promise<number | null>;
}

/** Starts `hookline serve …` and waits until its banner names the URL it listens on. */
export async function startServe(
  args: string[],
  env: Record<string, string>,
): Promise<Served & { url: string }> {
  const child = spawn(process.execPath, [MAIN, "serve", ...args], { env: childEnv(env), stdio: "pipe" });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString("utf8");
  });
  child.stderr.on("data", (c: Buffer) => {
    err += c.toString("utf8");
  });
  const exited = new Promise<number | null>((r) => child.once("close", (code) => r(code)));
  const served: Served = {
    child,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
  for (let i = 0; i < 300; i++) {
    const m = /running at (http:\/\/\S+)/.exec(out);
    if (m) return { ...served, url: m[1]! };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await served.stop();
  throw new Error(`serve did not start:\n${out}\n${err}`);
}
