#!/usr/bin/env node
import { CLIENT_OPTIONS, ConfigError } from "../config/index.js";
import { HooklineError } from "../lib/errors.js";

const HELP = `Hookline: a self-hosted, wire-compatible task-and-callback API server.

Usage:
  hookline serve [--dev] [flags]   API, task runner and callback sender in one process
  hookline worker [flags]          task runner and callback sender only (scale out on PostgreSQL)
  hookline keys …                  create, list, revoke API keys; rotate webhook keys; HMAC on/off
  hookline tasks …                 list tasks, see callback attempts, redeliver, delete (${CLIENT_OPTIONS.url.env}, ${CLIENT_OPTIONS.apiKey.env})
  hookline redeliver TASK_ID       send a task's last callback again (same message id)
  hookline convert FILE|URL        upload, convert to WAV, wait, download (--out PATH)
  hookline cover FILE|TASK_ID      make the two cover images of a track and download them (--out DIR)
  hookline listen                  a local callback receiver: shows, verifies, forwards, saves (--help)
  hookline serve --help            every setting, as flag and HOOKLINE_ environment variable`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  // Commands are loaded on demand: `serve` pulls in the whole server (Fastify, OpenAPI, media), which would
  // add about a second to every `keys` command a script runs.
  switch (command) {
    case "serve":
      return (await import("./serve.js")).serve(args, { api: true });
    case "worker":
      return (await import("./serve.js")).serve(args, { api: false });
    case "keys":
      return (await import("./keys.js")).keys(args);
    case "tasks":
      return (await import("./client.js")).tasks(args);
    case "redeliver":
      return (await import("./client.js")).redeliver(args);
    case "convert":
      return (await import("./convert.js")).convert(args);
    case "cover":
      return (await import("./cover.js")).cover(args);
    case "listen":
      return (await import("./listen/index.js")).listen(args);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(`${HELP}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${HELP}\n`);
      return 2;
  }
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
