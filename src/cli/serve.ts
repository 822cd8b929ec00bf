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
    "  Get an API key:     npx hookline keys create --name dev --json",
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

/** `hookline serve` (API + runner + sender) and `hookline worker` (runner + sender only). */
export async function serve(args: string[], roles: { api: boolean }): Promise<number> {
  const { values } = parseFlags(args);
  if (values.help) {
    process.stdout.write(
      `Usage: hookline ${roles.api ? "serve" : "worker"} [flags]\n\n${roles.api ? "Runs the API, the task runner and the callback sender in one process." : "Runs the task runner and the callback sender (no API) against a shared database."}\n\n${optionsHelp()}\n`,
    );
    return 0;
  }
  const config = loadConfig(processEnv(), values);
  const log = createLogger(config.logLevel);
  let running: Awaited<ReturnType<typeof startHookline>>;
  try {
    running = await startHookline({ config, log, roles: { api: roles.api, runner: true, sender: true } });
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`\n${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (running.url) process.stdout.write(banner(config, running.url, running.services.signer.publicUrl));
  else {
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
