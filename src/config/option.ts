/**
 * One setting: its variable, its flag, its type and its default, and the text of that default for `--help`,
 * written by the type itself.
 */
import type { Fail, Given, OptionType } from "./types.js";

/** What every setting has, whatever the type of its value: enough to make its flag and its line of help. */
export interface OptionInfo {
  readonly env: string;
  readonly flag: string;
  readonly help: string;
  /** A switch (`--dev`) rather than a flag that takes a value. */
  readonly isSwitch: boolean;
  /** The default as `--help` shows it: the typed default through its type's `format`, or {@link Option.unset}. */
  readonly defaultText: string;
}

/** One setting, with the type of its value. */
export interface Option<T> extends OptionInfo {
  readonly parse: (given: Given, fail: Fail) => T;
  /** The value when neither the variable nor the flag is given (null for a setting with `unset`). */
  readonly default: T;
  /**
   * For a setting whose default is not a value of its own but is made from something else (the port, the CPU
   * count, the data folder) or means "none": what happens when it is not given. Null for the others.
   */
  readonly unset: string | null;
}

interface Fields<T> {
  readonly env: string;
  readonly flag: string;
  readonly type: OptionType<T>;
  readonly help: string;
}

/**
 * A setting with a default value, in the configuration's own unit (ms, bytes): `--help` shows it in the user's.
 *
 * @example
 * const callbackTimeout = option({
 *   env: "HOOKLINE_CALLBACK_TIMEOUT",
 *   flag: "callback-timeout",
 *   type: seconds(0.001),
 *   default: 15_000, // --help: "(default: 15)"
 *   help: "seconds a receiver has to answer a callback",
 * });
 */
export function option<T>(spec: Fields<T> & { readonly default: NoInfer<T> }): Option<T>;
/** A setting that is null when not given; `unset` says what that means. */
export function option<T>(spec: Fields<T> & { readonly unset: string }): Option<T | null>;
export function option<T>(
  spec: Fields<T> & ({ readonly default: T } | { readonly unset: string }),
): Option<T> | Option<T | null> {
  const { env, flag, help, type } = spec;
  const common = { env, flag, help, isSwitch: type.isSwitch, parse: type.parse };
  return "unset" in spec
    ? { ...common, default: null, unset: spec.unset, defaultText: spec.unset }
    : { ...common, default: spec.default, unset: null, defaultText: type.format(spec.default) };
}
