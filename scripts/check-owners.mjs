#!/usr/bin/env node
/**
 * Checks two rules of src/ (issue 10), without dependencies:
 *
 * 1. Each table is written only from its owning folder: Kysely `insertInto/replaceInto/updateTable/deleteFrom/
 *    mergeInto("table")` and SQL text `insert into / update … set / delete from table`. Other folders call the
 *    owner's named functions.
 * 2. SQL that differs by database lives in src/store (sqlite-sql.ts, postgres-sql.ts behind DialectSql): no dialect
 *    test, row lock, cast, `greatest` or `rowid` elsewhere.
 *
 * Comments are ignored; dynamic table names are not seen. Migrations are exempt. Exits 1 listing the offenders.
 *
 * Usage: node scripts/check-owners.mjs
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Table → the folder that alone writes it. */
const OWNERS = {
  api_keys: "src/keys",
  /** Moved on by a trigger on api_keys (migrations), and by src/keys/names.ts as a lock on key names. */
  key_generation: "src/keys",
  files: "src/files",
  tasks: "src/tasks",
  tracks: "src/tracks",
  messages: "src/outbox",
  attempts: "src/outbox",
  settings: "src/store",
  storage_usage: "src/quota",
  rate_counters: "src/rates",
  voices: "src/families/voice",
  console_sessions: "src/console",
  /** The receiver SDK's own SQLite database, not Hookline's. */
  hookline_idempotency: "src/receiver",
};

/** Files exempt from both checks: the schema's history. */
const EXEMPT = [/^src\/store\/migrations(\.ts$|\/)/];

/**
 * Known offenders, allowed while they are being moved to their owner (none now). An entry that no longer offends
 * is reported too, so that it cannot linger.
 */
const ALLOWED = [];

const WRITES = [
  /\.\s*(?:insertInto|replaceInto|updateTable|deleteFrom|mergeInto)\(\s*["'`]([A-Za-z_][\w]*)["'`]/g,
  /\binsert\s+(?:or\s+\w+\s+)?into\s+"?([A-Za-z_]\w*)/gi,
  /\bupdate\s+"?([A-Za-z_]\w*)"?\s+set\b/gi,
  /\bdelete\s+from\s+"?([A-Za-z_]\w*)/gi,
];

const DIALECT = [
  [/\.\s*(?:forUpdate|forShare|forNoKeyUpdate|skipLocked|noWait)\(/g, "row lock (Kysely)"],
  [/\bfor\s+(?:update|share)\b/gi, "row lock"],
  [/::\s*(?:text|bigint|integer|int|int4|int8|numeric|boolean|jsonb?|timestamptz?)\b/gi, "PostgreSQL cast"],
  [/\bgreatest\s*\(/gi, "greatest()"],
  [/\browid\b/gi, "rowid"],
  [/\bdialect\s*[!=]==?\s*["'](?:postgres|sqlite)["']/g, "dialect test"],
  [/\b(?:Postgres|Sqlite)(?:Adapter|Dialect|QueryCompiler)\b/g, "dialect class"],
];

/** The text without its comments (strings kept, so that their SQL and table names stay visible). */
function withoutComments(text) {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(?:ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) yield path;
  }
}

const lineOf = (text, index) => text.slice(0, index).split("\n").length;
const inFolder = (file, folder) => file === folder || file.startsWith(`${folder}/`);

const root = join(fileURLToPath(import.meta.url), "..", "..");
const problems = [];
const allowedSeen = new Set();

for (const path of sourceFiles(join(root, "src"))) {
  const file = relative(root, path).split(sep).join("/");
  if (EXEMPT.some((re) => re.test(file))) continue;
  const code = withoutComments(readFileSync(path, "utf8"));
  for (const re of WRITES) {
    for (const m of code.matchAll(re)) {
      const table = m[1].toLowerCase();
      const owner = OWNERS[table];
      if (owner && inFolder(file, owner)) continue;
      const allowed = ALLOWED.find((a) => a.file === file && a.table === table);
      if (allowed) {
        allowedSeen.add(allowed);
        continue;
      }
      const why = owner ? `owned by ${owner}` : "which has no owner in OWNERS";
      problems.push(`${file}:${lineOf(code, m.index)}: writes ${table}, ${why}`);
    }
  }
  if (inFolder(file, "src/store")) continue;
  for (const [re, what] of DIALECT) {
    for (const m of code.matchAll(re))
      problems.push(`${file}:${lineOf(code, m.index)}: ${what} outside src/store ("${m[0]}")`);
  }
}

for (const a of ALLOWED) {
  if (!allowedSeen.has(a))
    problems.push(`${a.file}: allowed to write ${a.table}, but no longer does: drop it from ALLOWED`);
}

if (problems.length > 0) {
  problems.sort((x, y) => x.localeCompare(y, "en", { numeric: true }));
  console.error(`check-owners: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
const known = ALLOWED.length > 0 ? ` (${ALLOWED.length} known offender(s) allowed for now)` : "";
console.log(`check-owners: every table is written by its owner, dialect SQL stays in src/store${known}`);
