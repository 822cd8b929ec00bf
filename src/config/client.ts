/**
 * The settings of the CLI commands that talk to a running server (`tasks`, `redeliver`, `convert`, `cover`) or
 * receive its callbacks (`listen`): a second table of the same type as the server's, read the same way.
 */
import { ConfigError, given, reader } from "./load.js";
import { type OptionInfo, option } from "./option.js";
import { OPTIONS } from "./options.js";
import { baseUrl, list, text } from "./types.js";

export const CLIENT_OPTIONS = {
  url: option({
    env: "HOOKLINE_URL",
    flag: "url",
    type: baseUrl,
    unset: `http://127.0.0.1:<${OPTIONS.port.env} or ${OPTIONS.port.defaultText}>`,
    help: "the running Hookline server",
  }),
  apiKey: option({
    env: "HOOKLINE_API_KEY",
    flag: "api-key",
    type: text,
    unset: "(none)",
    help: "API key (from `hookline keys create`)",
  }),
  webhookKeys: option({
    env: "HOOKLINE_WEBHOOK_KEY",
    flag: "secret",
    type: list,
    default: [],
    help: "webhook keys `hookline listen` verifies callbacks with: comma-separated, or the flag repeated",
  }),
} satisfies Record<string, OptionInfo>;

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
 *
 * @example
 * const { url, apiKey } = loadClientConfig(processEnv(), { url: "http://127.0.0.1:4000" });
 */
export function loadClientConfig(
  env: Readonly<Record<string, string | undefined>>,
  flags: { url?: string; apiKey?: string; secrets?: readonly string[] } = {},
): ClientConfig {
  // An empty --url or --api-key counts as not given here (unlike the server's flags), as it always has.
  const read = reader(env, {
    [CLIENT_OPTIONS.url.flag]: flags.url || undefined,
    [CLIENT_OPTIONS.apiKey.flag]: flags.apiKey || undefined,
  });
  // The port as written, unchecked: a client only builds a URL from it, and a wrong one fails as that URL.
  const port = given(OPTIONS.port, env, {}) ?? OPTIONS.port.defaultText;
  // --secret repeats, one key each (a key is never split at commas); the variable holds a comma-separated list.
  const secrets = flags.secrets?.length
    ? flags.secrets.map((s) => s.trim()).filter((s) => s.length > 0)
    : read(CLIENT_OPTIONS.webhookKeys);
  // The default is read like a given URL (trailing slashes dropped), as it always was.
  const url =
    read(CLIENT_OPTIONS.url) ??
    baseUrl.parse(`http://127.0.0.1:${port}`, (reason) => {
      throw new ConfigError(reason);
    });
  return {
    url,
    apiKey: read(CLIENT_OPTIONS.apiKey),
    webhookKeys: secrets,
  };
}
