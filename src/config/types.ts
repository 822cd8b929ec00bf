/**
 * The types a setting can have. Each is a pair: `parse` reads what a user wrote (an environment variable or a
 * flag) into the value the configuration holds, and `format` writes such a value back as text `parse` accepts.
 * `--help` shows each default through `format`, so the text cannot say something other than the value.
 */
import { resolve as resolvePath } from "node:path";

/** Refuses a value; the caller adds which setting it was (`HOOKLINE_PORT / --port: …`). */
export type Fail = (reason: string) => never;

/** What a setting is given: text from the environment or a flag, or true/false from a switch such as `--dev`. */
export type Given = string | boolean;

/** How one kind of setting is read and shown. */
export interface OptionType<T> {
  /** A switch (`--dev`, no value) rather than a flag that takes a value. */
  readonly isSwitch: boolean;
  parse(given: Given, fail: Fail): T;
  /** The inverse of `parse`: text that parses back to `value`. */
  format(value: T): string;
}

/** The database a `HOOKLINE_DATABASE_URL` names. */
export type DatabaseSetting =
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly url: string };

/** A type whose value is written as text (the reader refuses a bare flag before it gets here). */
function textual<T>(parse: (text: string, fail: Fail) => T, format: (value: T) => string): OptionType<T> {
  return {
    isSwitch: false,
    parse: (given, fail) => (typeof given === "string" ? parse(given, fail) : fail("needs a value")),
    format,
  };
}

function numberIn(text: string, fail: Fail, min: number, int: boolean): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || (int && !Number.isInteger(n))) {
    fail(`expected ${int ? "an integer" : "a number"} >= ${min}, got "${text}"`);
  }
  return n;
}

/** Any text, kept as written. */
export const text: OptionType<string> = textual(
  (t) => t,
  (v) => v,
);

/** A switch: `--dev`, or on/off, true/false, yes/no, 1/0 in the environment. */
export const onOff: OptionType<boolean> = {
  isSwitch: true,
  parse(given, fail) {
    if (typeof given === "boolean") return given;
    if (/^(1|true|yes|on)$/i.test(given)) return true;
    if (/^(0|false|no|off)$/i.test(given)) return false;
    return fail(`expected on/off, got "${given}"`);
  },
  format: (v) => (v ? "on" : "off"),
};

/** A whole number at least `min`. */
export const int = (min: number): OptionType<number> =>
  textual((t, fail) => numberIn(t, fail, min, true), String);

/** A number at least `min`, in the unit the user writes. */
export const decimal = (min: number): OptionType<number> =>
  textual((t, fail) => numberIn(t, fail, min, false), String);

/**
 * A quantity written in one unit and kept in a smaller one (seconds kept as ms, MB as bytes); `min` is in the
 * written unit. `round` keeps whole ms or bytes; day and minute settings were never rounded, and still are not.
 */
export function scaled(factor: number, min: number, round: boolean): OptionType<number> {
  return textual(
    (t, fail) => {
      const n = numberIn(t, fail, min, false) * factor;
      return round ? Math.round(n) : n;
    },
    (v) => String(v / factor),
  );
}

/** Seconds, kept as ms. */
export const seconds = (min: number): OptionType<number> => scaled(1000, min, true);

/**
 * A number where 0 means "none" (no quota, no rate limit), held as null. Zero is tested as written, before any
 * scaling, so that a tiny value that rounds to 0 bytes stays a (tiny) limit rather than becoming none.
 */
export function zeroIsNone(type: OptionType<number>): OptionType<number | null> {
  return {
    isSwitch: false,
    parse: (given, fail) => {
      const value = type.parse(given, fail);
      return Number(given) === 0 ? null : value;
    },
    format: (v) => (v === null ? "0" : type.format(v)),
  };
}

/** Comma-separated words, blanks dropped; empty text is the empty list. */
export const list: OptionType<readonly string[]> = textual(
  (t) =>
    t
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  (v) => v.join(","),
);

/** Comma-separated seconds, kept as ms (`60,300,900`); blank text is the empty list. */
export const secondsList: OptionType<readonly number[]> = textual(
  (t, fail) => {
    if (t.trim() === "") return [];
    return t.split(",").map((part) => {
      const n = Number(part.trim());
      if (!Number.isFinite(n) || n < 0) fail(`"${part}" is not seconds`);
      return Math.round(n * 1000);
    });
  },
  (v) => v.map((ms) => String(ms / 1000)).join(","),
);

/** One of a few words. */
export function oneOf<const V extends string>(values: readonly V[]): OptionType<V> {
  const known = (t: string): t is V => values.some((v) => v === t);
  return textual(
    (t, fail) => (known(t) ? t : fail(`expected ${values.join(" or ")}, got "${t}"`)),
    (v) => v,
  );
}

/** Narrows a type with one more check (an integer that must be 16 or 24). */
export function refine<T, U extends T>(
  type: OptionType<T>,
  ok: (value: T) => value is U,
  reason: (value: T) => string,
): OptionType<U> {
  return {
    isSwitch: type.isSwitch,
    parse: (given, fail) => {
      const value = type.parse(given, fail);
      return ok(value) ? value : fail(reason(value));
    },
    format: (v) => type.format(v),
  };
}

/** One more check that keeps the type (at most 4096 px, at most 1). */
export function check<T>(type: OptionType<T>, ok: (value: T) => boolean, reason: (value: T) => string) {
  return refine(type, (v): v is T => ok(v), reason);
}

/**
 * An http(s) URL. `trimSlash` drops trailing slashes, for a base that paths are appended to with their own
 * slash (the public URL); the image service's URL has always been kept as written.
 */
export function httpUrl(trimSlash: boolean): OptionType<string> {
  return textual(
    (t, fail) => {
      const url = trimSlash ? t.replace(/\/+$/, "") : t;
      return /^https?:\/\//.test(url) ? url : fail("expected an http(s) URL");
    },
    (v) => v,
  );
}

/** A base URL as written, without trailing slashes (paths are appended with their own). */
export const baseUrl: OptionType<string> = textual(
  (t) => t.replace(/\/+$/, ""),
  (v) => v,
);

/** `postgres://…` or `sqlite:/path/to/file.db` (made absolute). */
export const databaseUrl: OptionType<DatabaseSetting> = textual(
  (t, fail): DatabaseSetting => {
    if (/^postgres(ql)?:\/\//.test(t)) return { kind: "postgres", url: t };
    if (t.startsWith("sqlite:")) return { kind: "sqlite", path: resolvePath(t.slice("sqlite:".length)) };
    return fail(`expected postgres://… or sqlite:/path, got "${t}"`);
  },
  (v) => (v.kind === "postgres" ? v.url : `sqlite:${v.path}`),
);
