/**
 * Configuration enters here and nowhere else: `process.env` is read by the CLI and handed to `loadConfig`.
 * @module
 */
export { optionLine, optionsHelp, optionsTable } from "./help.js";
export { type Config, ConfigError, type Env, type Flags, loadConfig } from "./load.js";
export type { Option, OptionInfo } from "./option.js";
export { OPTIONS, type OptionName } from "./options.js";

/** The process environment, read here so that no other folder touches `process.env`. */
export const processEnv = (): Readonly<Record<string, string | undefined>> => process.env;

/** Where CLI commands that talk to a running server send their requests (spec 13). */
export interface ClientConfig {
  readonly url: string;
  readonly apiKey: string | null;
  /** Webhook keys `hookline listen` verifies callbacks with (`--secret`, or `HOOKLINE_WEBHOOK_KEY`, comma-separated). */
  readonly webhookKeys: readonly string[];
}

/**
 * Reads `HOOKLINE_URL` (default `http://127.0.0.1:<HOOKLINE_PORT or 3000>`), `HOOKLINE_API_KEY` and
 * `HOOKLINE_WEBHOOK_KEY`; the flags `--url`, `--api-key` and `--secret` (repeatable) win over them.
 */
export function loadClientConfig(
  env: Readonly<Record<string, string | undefined>>,
  flags: { url?: string; apiKey?: string; secrets?: readonly string[] } = {},
): ClientConfig {
  const url = (flags.url || env.HOOKLINE_URL || `http://127.0.0.1:${env.HOOKLINE_PORT || "3000"}`).replace(
    /\/+$/,
    "",
  );
  const secrets = flags.secrets?.length ? flags.secrets : (env.HOOKLINE_WEBHOOK_KEY ?? "").split(",");
  return {
    url,
    apiKey: flags.apiKey || env.HOOKLINE_API_KEY || null,
    webhookKeys: secrets.map((s) => s.trim()).filter((s) => s.length > 0),
  };
}
