/**
 * ffmpeg's stderr becomes a task's `errorMessage`, which a user reads: it must say why the input failed
 * without revealing where the server keeps its files, nor a wall of repeated decoder complaints.
 */

import { resolve } from "node:path";

/** Longest message handed back; decoder logs can repeat one complaint thousands of times. */
const MAX_MESSAGE = 300;
/** Distinct lines kept: the first ones name the cause, later ones are consequences. */
const MAX_LINES = 3;

// A path ends where an optional colon is followed by a blank, a quote or the end ("file:/x/y.mp3: Invalid…").
const POSIX_PATH = /(?<![\w.~-])(?:file:)?\/[^\s'"\\]*?(?=:?(?:[\s'"]|$))/g;
const WINDOWS_PATH = /(?<![\w.])(?:file:)?[A-Za-z]:\\[^\s'"]*?(?=:?(?:[\s'"]|$))/g;
const CONTEXT = /^\[([\w,.-]+) @ (?:0x)?[0-9a-fA-F]+\]\s*/;
const NOISE = /^(?:Last message repeated \d+ times|Conversion failed!|Exiting normally.*)$/;

/**
 * Replaces absolute paths (and `file:` URLs) in text with `<file>`: first the given ones exactly (they may
 * hold blanks), then anything that looks like a path.
 */
export function stripPaths(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const path of [...known].sort((a, b) => b.length - a.length)) {
    if (path.length > 1) out = out.split(path).join("<file>");
  }
  return out
    .replace(/file:<file>/g, "<file>")
    .replace(WINDOWS_PATH, "<file>")
    .replace(POSIX_PATH, "<file>");
}

/**
 * Condenses ffmpeg/ffprobe stderr into one line for users: paths removed, `[mp3float @ 0x…]` shortened
 * to `mp3float:`, repeats dropped, at most a few distinct lines. `known` are paths to hide exactly
 * (the input and output files).
 *
 * @example
 * decoderMessage("file:/data/a.bin: Invalid data found when processing input\n")
 * // "Invalid data found when processing input"
 */
export function decoderMessage(stderr: string, known: readonly string[] = []): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const raw of stderr.split(/[\r\n]+/)) {
    let line = stripPaths(raw.trim(), known);
    if (line === "" || NOISE.test(line)) continue;
    line = line.replace(CONTEXT, (_m, name: string) => `${name.split(",")[0]}: `);
    line = line.replace(/^<file>:\s*/, "");
    if (line === "" || seen.has(line)) continue;
    seen.add(line);
    lines.push(line);
    if (lines.length >= MAX_LINES) break;
  }
  const joined = lines.join("; ");
  return joined.length > MAX_MESSAGE ? `${joined.slice(0, MAX_MESSAGE - 1)}…` : joined;
}

/** A time limit for messages: "150 ms", "60 s". */
export function formatLimit(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}

/** The forms in which ffmpeg may print the given paths: as given and absolute. */
export function pathForms(...paths: string[]): string[] {
  return paths.flatMap((p) => [p, resolve(p)]);
}

/** The demuxer ffmpeg detected when it refused a file by `-format_whitelist`, else null. */
export function refusedFormat(stderr: string): string | null {
  const m = /\[([\w,.-]+) @ (?:0x)?[0-9a-fA-F]+\] Format not on whitelist/.exec(stderr);
  return m?.[1] ?? null;
}
