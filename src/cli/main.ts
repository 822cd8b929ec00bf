#!/usr/bin/env node
import { CLIENT_OPTIONS, ConfigError } from "../config/index.js";
import { HooklineError } from "../lib/errors.js";

/** A command: its synopsis and one line for `hookline --help`, and how to run it. */
interface Command {
  readonly synopsis: string;
  readonly about: string;
  /** Its subcommands, listed under the about text so that the top-level help names every one. */
  readonly subcommands?: readonly string[];
  run(args: string[]): Promise<number>;
}

// Commands are loaded on demand: `serve` pulls in the whole server (Fastify, OpenAPI, media), which would add about
// a second to every `keys` command a script runs. One table serves the dispatch and the help, so neither can name a
// command the other lacks.
const COMMANDS: Readonly<Record<string, Command>> = {
  serve: {
    synopsis: "serve [--dev] [flags]",
    about: "API, task runner and callback sender in one process",
    run: async (args) => (await import("./serve.js")).serve(args, "serve"),
  },
  worker: {
    synopsis: "worker [flags]",
    about: "task runner and callback sender only (scale out on PostgreSQL)",
    run: async (args) => (await import("./serve.js")).serve(args, "worker"),
  },
  api: {
    synopsis: "api [flags]",
    about: "the API only (no runner, sender or sweeper); workers do the work",
    run: async (args) => (await import("./serve.js")).serve(args, "api"),
  },
  keys: {
    synopsis: "keys …",
    about: "manage API keys, their credits, simulated failures and rate limits (--help)",
    subcommands: [
      "create",
      "ls",
      "revoke",
      "rotate-webhook-key",
      "hmac",
      "credits",
      "simulate",
      "rate-limit",
    ],
    run: async (args) => (await import("./keys.js")).keys(args),
  },
  "console-link": {
    synopsis: "console-link",
    about: "print a one-time link that signs a browser into the web console as the operator",
    run: async (args) => (await import("./console-link.js")).consoleLink(args),
  },
  tasks: {
    synopsis: "tasks …",
    about: `list tasks, see callback attempts, redeliver, delete (${CLIENT_OPTIONS.url.env}, ${CLIENT_OPTIONS.apiKey.env})`,
    subcommands: ["ls", "show", "deliveries", "redeliver", "rm"],
    run: async (args) => (await import("./client.js")).tasks(args),
  },
  redeliver: {
    synopsis: "redeliver TASK_ID",
    about: "send a task's last callback again (same message id)",
    run: async (args) => (await import("./client.js")).redeliver(args),
  },
  convert: {
    synopsis: "convert FILE|URL",
    about: "upload, convert to WAV, wait, download (--out PATH)",
    run: async (args) => (await import("./convert.js")).convert(args),
  },
  cover: {
    synopsis: "cover FILE|TASK_ID",
    about: "make the two cover images of a track and download them (--out DIR)",
    run: async (args) => (await import("./cover.js")).cover(args),
  },
  listen: {
    synopsis: "listen",
    about:
      "a local callback receiver: shows, verifies, forwards, saves; --remote: a server's callbacks to your app (--help)",
    run: async (args) => (await import("./listen/index.js")).listen(args),
  },
  trigger: {
    synopsis: "trigger EVENT…",
    about: "send a signed sample callback to a receiver, no server needed (--list)",
    run: async (args) => (await import("./trigger.js")).trigger(args),
  },
  "check-receiver": {
    synopsis: "check-receiver URL",
    about: "conformance checks of your callback receiver (--help)",
    run: async (args) => (await import("./check-receiver.js")).checkReceiver(args),
  },
};

const usageLine = (synopsis: string, about: string) => `  ${`hookline ${synopsis}`.padEnd(33)}${about}`;

const SUB_INDENT = " ".repeat(37);

/** A command's help line, then its subcommands on as many lines as keep the help within 110 columns. */
function commandLines(name: string, c: Command): string[] {
  const lines = [usageLine(c.synopsis, c.about)];
  let line = "";
  for (const sub of c.subcommands ?? []) {
    const item = `${name} ${sub}`;
    if (line && line.length + item.length > 70) {
      lines.push(`${SUB_INDENT}${line},`);
      line = "";
    }
    line = line ? `${line}, ${item}` : item;
  }
  if (line) lines.push(`${SUB_INDENT}${line}`);
  return lines;
}

const HELP = [
  "Hookline: a self-hosted, wire-compatible task-and-callback API server.",
  "",
  "Usage:",
  ...Object.entries(COMMANDS).flatMap(([name, c]) => commandLines(name, c)),
  usageLine("serve --help", "every setting, as flag and HOOKLINE_ environment variable"),
  usageLine("COMMAND --help", "a command's own usage and flags"),
  usageLine("--version", "the version of this Hookline"),
].join("\n");

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${HELP}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === "--version" || command === "-v") {
    process.stdout.write(`${(await import("./version.js")).packageVersion()}\n`);
    return 0;
  }
  // Own properties only: `hookline toString` is an unknown command, not Object.prototype's.
  const known = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (known) return known.run(args);
  process.stderr.write(`unknown command "${command}"\n\n${HELP}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // The SDK's errors, known by name: importing the client here would load it for every command.
    const api = (error as { name?: string })?.name === "HooklineApiError";
    const known =
      error instanceof ConfigError ||
      error instanceof HooklineError ||
      api ||
      (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION";
    process.stderr.write(
      `hookline: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`,
    );
    // An interrupted wait (Ctrl+C) ends like any interrupted command.
    process.exitCode = api && (error as { kind?: string }).kind === "aborted" ? 130 : known ? 2 : 1;
  },
);
