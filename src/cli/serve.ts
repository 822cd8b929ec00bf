import { StartupError, startHookline } from "../app/index.js";
import { type Config, loadConfig, OPTIONS, optionsHelp, processEnv } from "../config/index.js";
import { createLogger } from "../lib/logger.js";
import { parseFlags } from "./flags.js";

function banner(config: Config, url: string, publicUrl: string): string {
  const lines = [
    "",
    `  Hookline is running at ${url}  (public URL for links: ${publicUrl})`,
    `  Database: ${config.database.kind === "sqlite" ? config.database.path : "PostgreSQL"}   Files: ${config.dataDir}`,
    "",
    "  Get an API key:     npx hookline keys create --name dev --env > dev.env   (or --json)",
    "  Receive callbacks:  npx hookline listen --port 3001   (README: First steps)",
    `  Then call the API:  curl -H 'Authorization: Bearer <apiKey>' ${url}/api/v1/generate/credit`,
    `  API reference:      ${url}/docs  (OpenAPI: ${url}/openapi.json)`,
  ];
  if (config.dev) {
    lines.push(
      "",
      "  !!! DEVELOPMENT MODE (--dev): callbacks and downloads MAY REACH LOOPBACK AND PRIVATE ADDRESSES.",
      "  !!! Never expose a --dev server to untrusted users.",
    );
  } else {
    lines.push(
      "",
      "  Callback receiver on localhost? Start with `npx hookline serve --dev` (opens loopback and private",
      `  targets), or name hosts in ${OPTIONS.allowHosts.env}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * A worker signs the download links its callbacks carry (the WAV, the covers) but serves none: without a public
 * URL they would name this machine's own port, where no API listens.
 */
function workerLinkWarning(config: Config): string {
  return (
    `\n  Warning: ${OPTIONS.publicUrl.env} is not set, so the links in this worker's callbacks point at ` +
    `${config.publicUrl}.\n  Set it to the address clients reach the API at (the same on every process).\n\n`
  );
}

/**
 * An API-only process queues work that only a worker runs. On PostgreSQL its submissions wake the workers
 * (NOTIFY); on SQLite nothing crosses processes, so a `hookline worker` on the same database file (same machine)
 * finds new work by polling. Either way, nothing runs until a worker does: said at start, not refused, since
 * the workers may simply start later.
 */
function apiOnlyNotice(config: Config): string {
  const shared =
    config.database.kind === "sqlite"
      ? `  On SQLite, start \`hookline worker\` on this machine with the same database file (${config.database.path}) and\n  data folder; it finds new tasks by polling (${OPTIONS.pollMs.env}), since SQLite has no cross-process wake-ups.\n`
      : "  Start `hookline worker` processes on the same database and data folder: they are woken by NOTIFY.\n";
  return `\n  API only: this process runs no tasks, sends no callbacks and sweeps no files.\n${shared}\n`;
}

/** The roles each command runs. */
const ROLES = {
  serve: { api: true, runner: true, sender: true },
  worker: { api: false, runner: true, sender: true },
  api: { api: true, runner: false, sender: false },
} as const;

const ABOUT: Record<keyof typeof ROLES, string> = {
  serve: "Runs the API, the task runner and the callback sender in one process.",
  worker: "Runs the task runner and the callback sender (no API) against a shared database.",
  api: "Runs the API only (no task runner, callback sender or sweeper): `hookline worker` processes on the same database do the work.",
};

/**
 * `hookline serve` (API + runner + sender), `hookline worker` (runner + sender only) and `hookline api` (API
 * only).
 */
export async function serve(args: string[], command: keyof typeof ROLES): Promise<number> {
  const { values } = parseFlags(args);
  if (values.help) {
    process.stdout.write(`Usage: hookline ${command} [flags]\n\n${ABOUT[command]}\n\n${optionsHelp()}\n`);
    return 0;
  }
  const config = loadConfig(processEnv(), values);
  const log = createLogger(config.logLevel);
  let running: Awaited<ReturnType<typeof startHookline>>;
  try {
    running = await startHookline({ config, log, roles: ROLES[command] });
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`\n${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (running.url) {
    process.stdout.write(banner(config, running.url, running.services.signer.publicUrl));
    if (command === "api") process.stderr.write(apiOnlyNotice(config));
  } else {
    process.stdout.write("Hookline worker running (task runner and callback sender).\n");
    if (config.publicUrlFromPort) process.stderr.write(workerLinkWarning(config));
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) {
        process.stderr.write("Forced exit.\n");
        process.exit(1);
      }
      stopping = true;
      process.stderr.write(`${signal}: finishing running work (press Ctrl+C again to force)…\n`);
      running.stop().then(resolve, (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        resolve();
      });
    };
    process.on("SIGINT", () => onSignal("SIGINT"));
    process.on("SIGTERM", () => onSignal("SIGTERM"));
  });
  return 0;
}
