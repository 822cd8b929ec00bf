/**
 * Configuration enters here and nowhere else: `process.env` is read by the CLI and handed to `loadConfig`.
 * @module
 */
export { CLIENT_OPTIONS, type ClientConfig, loadClientConfig } from "./client.js";
export { optionLine, optionsHelp, optionsTable } from "./help.js";
export { type Config, ConfigError, type Env, type Flags, loadConfig, type S3Settings } from "./load.js";
export type { Option, OptionInfo } from "./option.js";
export { OPTIONS, type OptionName } from "./options.js";

/** The process environment, read here so that no other folder touches `process.env`. */
export const processEnv = (): Readonly<Record<string, string | undefined>> => process.env;
