/**
 * What the client commands (`tasks`, `redeliver`, `convert`, `cover`) share: their flags, one SDK client built from
 * them, and output that is quiet and machine-readable with `--json`.
 */
import { parseArgs } from "node:util";
import { HooklineClient } from "../client/index.js";
import { CLIENT_OPTIONS, loadClientConfig, optionsTable, processEnv } from "../config/index.js";
import { HooklineError } from "../lib/errors.js";

type ParseOptions = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

const { url, apiKey } = CLIENT_OPTIONS;

/** The flags every client command takes. */
export const CLIENT_FLAGS = {
  [url.flag]: { type: "string" },
  [apiKey.flag]: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseOptions;

/** The end of each client command's usage: where it connects, from the client options table. */
export const CONNECTION_HELP = optionsTable("Connection (flag, environment variable, meaning):", {
  url,
  apiKey,
});

/** Parses a client command's arguments (its own flags added to {@link CLIENT_FLAGS}). */
export function parseClientArgs<O extends ParseOptions>(args: string[], extra: O) {
  const { values, positionals } = parseArgs({
    args,
    options: { ...CLIENT_FLAGS, ...extra },
    allowPositionals: true,
    strict: true,
  });
  return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
}

/** The SDK client for `HOOKLINE_URL`/`--url` with `HOOKLINE_API_KEY`/`--api-key`. */
export function connect(values: Record<string, unknown>): HooklineClient {
  const given = { url: values[url.flag], apiKey: values[apiKey.flag] };
  const config = loadClientConfig(processEnv(), {
    ...(typeof given.url === "string" ? { url: given.url } : {}),
    ...(typeof given.apiKey === "string" ? { apiKey: given.apiKey } : {}),
  });
  if (!config.apiKey) {
    throw new HooklineError(
      "unauthorized",
      `set ${apiKey.env} or --${apiKey.flag} (from \`hookline keys create\`)`,
    );
  }
  return new HooklineClient({ baseUrl: config.url, apiKey: config.apiKey });
}

/** Prints a result: one JSON line with `--json`, else indented JSON or the given text. */
export function output(value: unknown, json: boolean, text?: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text ?? JSON.stringify(value, null, 2)}\n`);
}

/** An AbortSignal that fires on Ctrl+C, so long waits stop cleanly (exit 130). */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  return controller.signal;
}
