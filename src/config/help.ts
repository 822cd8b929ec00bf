/**
 * Help text made from the option tables, so that what `--help` says about a setting (its flag, its variable, its
 * default) is what the code does.
 */
import type { OptionInfo } from "./option.js";
import { OPTIONS } from "./options.js";

/** One line of help: flag, variable, meaning and default (an empty default, such as an empty list, is "(none)"). */
export function optionLine(option: OptionInfo): string {
  const shown = option.defaultText === "" ? "(none)" : option.defaultText;
  return `  --${option.flag.padEnd(26)} ${option.env.padEnd(34)} ${option.help} (default: ${shown})`;
}

/** A titled list of settings, one {@link optionLine} each. */
export function optionsTable(title: string, table: Readonly<Record<string, OptionInfo>>): string {
  return [title, ...Object.values(table).map(optionLine)].join("\n");
}

/** The text of `hookline serve --help`'s settings part. */
export function optionsHelp(): string {
  return optionsTable("Settings (flag, environment variable, meaning):", OPTIONS);
}
