/**
 * Configuration enters here and nowhere else: `process.env` is read by the CLI and handed to `loadConfig`.
 * @module
 */
export { type Config, ConfigError, type Env, type Flags, loadConfig, optionsHelp } from "./load.js";
export { OPTIONS, type OptionName } from "./options.js";

/** The process environment, read here so that no other folder touches `process.env`. */
export const processEnv = (): Readonly<Record<string, string | undefined>> => process.env;

/** Where CLI commands that talk to a running server send their requests (spec 13). */
export interface ClientConfig {
  readonly url: string;
  readonly apiKey: string | null;
}

/** Reads `HOOKLINE_URL` (default `http://127.0.0.1:<HOOKLINE_PORT or 3000>`) and `HOOKLINE_API_KEY`. */
export function loadClientConfig(env: Readonly<Record<string, string | undefined>>): ClientConfig {
  const url = (env.HOOKLINE_URL || `http://127.0.0.1:${env.HOOKLINE_PORT || "3000"}`).replace(/\/+$/, "");
  return { url, apiKey: env.HOOKLINE_API_KEY || null };
}
