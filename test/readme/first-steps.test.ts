/**
 * Runs the README's "First steps" as a newcomer would: every shell block of that section, in order, pasted into
 * the terminal it names (`# Terminal N` on its first line), in a fresh folder with a fresh data folder. A block
 * that ends in a command that keeps running (`serve`, `listen`) is done when that command says it is ready; any
 * other block must end with status 0. Then what the steps promise is checked: the callback arrived verified, the
 * WAV was converted and downloaded, the task list and the delivery log show them. The README cannot rot.
 *
 * Two things are adapted, nothing else: `npx hookline` runs this checkout's build (a fresh clone's `npx` finds the
 * same one), and the ports 3000 and 3001 become free ones, so that the test runs beside anything else.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { CLI_PATH, childEnv } from "../helpers/process.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The `sh` blocks of the README section headed `## First steps`, with the terminal each one names. */
function firstStepBlocks(readme: string): { terminal: number; code: string }[] {
  const start = readme.indexOf("\n## First steps\n");
  if (start < 0) throw new Error("README has no '## First steps' section");
  const next = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => {
    const code = m[1] ?? "";
    const named = /^# Terminal (\d+)\b/.exec(code);
    if (!named) throw new Error(`a First steps block does not start with '# Terminal N':\n${code}`);
    return { terminal: Number(named[1]), code };
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** One terminal: a bash reading what is pasted into it, its output kept. */
interface Terminal {
  readonly shell: ChildProcessWithoutNullStreams;
  output: string;
  readonly exited: Promise<void>;
}

function openTerminal(cwd: string, env: NodeJS.ProcessEnv): Terminal {
  // Its own process group, so that closing the terminal ends what runs in it.
  const shell = spawn("bash", ["--noprofile", "--norc"], { cwd, env, detached: true });
  const exited = new Promise<void>((r) => shell.once("close", () => r()));
  const terminal: Terminal = { shell, output: "", exited };
  const keep = (c: Buffer) => {
    terminal.output += c.toString("utf8");
  };
  shell.stdout.on("data", keep);
  shell.stderr.on("data", keep);
  // A failing command stops the terminal, as `set -e` in a script would, so that no failure goes unseen.
  shell.stdin.write("set -eo pipefail\n");
  return terminal;
}

async function waitFor(what: string, terminal: Terminal, done: () => boolean, ms = 120_000) {
  const until = Date.now() + ms;
  while (!done()) {
    if (terminal.shell.exitCode !== null)
      throw new Error(`the terminal exited while waiting for ${what}:\n${terminal.output}`);
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}:\n${terminal.output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What a long-running command prints once it is ready, by the command the block ends with. */
const READY: [RegExp, RegExp][] = [
  [/npx hookline serve\b/, /Hookline is running at/],
  [/npx hookline listen\b/, /Listening for callbacks on/],
];

describe("README: First steps", () => {
  const dir = mkdtempSync(join(tmpdir(), "hookline-readme-"));
  const terminals = new Map<number, Terminal>();

  // Each terminal is closed after the test (the leak check looks then), its folder after the file.
  afterEach(async () => {
    for (const t of terminals.values()) {
      if (t.shell.exitCode !== null || t.shell.pid === undefined) {
        t.shell.stdin.destroy();
        await t.exited;
        continue;
      }
      try {
        process.kill(-t.shell.pid, "SIGINT");
      } catch {}
      const killed = setTimeout(() => {
        try {
          if (t.shell.pid !== undefined) process.kill(-t.shell.pid, "SIGKILL");
        } catch {}
      }, 15_000);
      t.shell.stdin.end();
      await t.exited;
      clearTimeout(killed);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs top to bottom on a fresh data folder, and does what it says", async () => {
    expect(existsSync(CLI_PATH), "run `npm run build` first").toBe(true);
    const blocks = firstStepBlocks(readFileSync(join(ROOT, "README.md"), "utf8"));
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const [api, receiver] = [await freePort(), await freePort()];

    // `npx hookline …` runs this checkout's build; any other `npx` is the real one.
    const bin = join(dir, ".bin");
    const realNpx = execFileSync("bash", ["-c", "command -v npx"], { encoding: "utf8" }).trim();
    execFileSync("mkdir", ["-p", bin]);
    writeFileSync(
      join(bin, "npx"),
      `#!/bin/sh\nif [ "$1" = hookline ]; then shift; exec "${process.execPath}" "${CLI_PATH}" "$@"; fi\nexec "${realNpx}" "$@"\n`,
    );
    chmodSync(join(bin, "npx"), 0o755);
    const env = childEnv({ PATH: `${bin}:${process.env.PATH ?? ""}`, HOOKLINE_PORT: String(api) });

    let n = 0;
    for (const block of blocks) {
      const code = block.code.replaceAll(/\b3000\b/g, String(api)).replaceAll(/\b3001\b/g, String(receiver));
      let terminal = terminals.get(block.terminal);
      if (!terminal) {
        terminal = openTerminal(dir, env);
        terminals.set(block.terminal, terminal);
      }
      const lines = code.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("#"));
      const last = lines.at(-1) ?? "";
      const ready = READY.find(([command]) => command.test(last))?.[1];
      const marker = `@@block ${++n} done`;
      const before = terminal.output.length;
      terminal.shell.stdin.write(`${code}\necho "${marker}"\n`);
      const t = terminal;
      await waitFor(`block ${n} (terminal ${block.terminal})`, t, () =>
        (ready ?? new RegExp(marker)).test(t.output.slice(before)),
      );
    }

    // The promises of the steps, checked on what they left behind.
    const wavTask = JSON.parse(readFileSync(join(dir, "wav.json"), "utf8")) as { data: { taskId: string } };
    const taskId = wavTask.data.taskId;
    expect(taskId).toMatch(/^[0-9a-f]{32}$/);
    const listen = terminals.get(2);
    const shell = terminals.get(3);
    if (!listen || !shell) throw new Error("the README no longer uses terminals 2 and 3");
    await waitFor("the callback line", listen, () => listen.output.includes(taskId));
    const line = listen.output.split("\n").find((l) => l.includes(taskId)) ?? "";
    expect(line).toMatch(/\bwav\b.*code 200\s+verified \(standard\+reseller\).*→ 200/);
    // `convert` downloaded a real WAV.
    const wav = readFileSync(join(dir, "song.wav"));
    expect(wav.subarray(0, 4).toString("latin1")).toBe("RIFF");
    expect(wav.subarray(8, 12).toString("latin1")).toBe("WAVE");
    expect(wav.length).toBeGreaterThan(44_100 * 2 * 4);
    // The record the poll printed, the task list and the delivery log.
    expect(shell.output).toMatch(/"audioWavUrl":"http:\/\/localhost:\d+\/files\//);
    expect(shell.output).toMatch(/"callbackState": "delivered"/);
    expect(shell.output).toMatch(/"outcome": "delivered"/);
    // The samples reached `listen` too:
    // `trigger`'s failed WAV, then every check of `check-receiver`, whose verdict table ends with no failure.
    expect(listen.output).toMatch(/\bwav\b.*code 501\s+verified.*→ 200/);
    expect(listen.output).toMatch(/ → 401/);
    expect(shell.output).toMatch(/wav\.failed\.501 → http:\/\/127\.0\.0\.1:\d+\/\s+200/);
    expect(shell.output).toMatch(/\b0 failed\b/);
  });
});
