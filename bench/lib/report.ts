import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where benchmarks keep generated inputs and their JSON summaries: `.bench-data/` at the repository root
 * (git-ignored). Compiled scripts live in `dist/bench/lib`, three levels below the root.
 */
export const BENCH_DIR = resolve(fileURLToPath(new URL("../../../.bench-data/", import.meta.url)));

/** The command-line switches every benchmark understands. */
export interface BenchArgs {
  /** Smaller sizes and fewer rounds, for a fast look. */
  readonly quick: boolean;
  /** Rounds per variant (each round runs every variant once, interleaved); undefined = the script's default. */
  readonly rounds: number | undefined;
}

/** Parses `--quick` and `--rounds N`. */
export function parseArgs(argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const i = argv.indexOf("--rounds");
  const n = i >= 0 ? Number(argv[i + 1]) : Number.NaN;
  return { quick: argv.includes("--quick"), rounds: Number.isInteger(n) && n > 0 ? n : undefined };
}

/** What the JSON summaries record about the machine, so figures from elsewhere are not mistaken for ours. */
export function machineNotes() {
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAvgAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Prints rows as an aligned text table (first row = headers). */
export function printTable(title: string, rows: readonly (readonly (string | number)[])[]): void {
  const text = rows.map((r) => r.map((c) => (typeof c === "number" ? formatNumber(c) : c)));
  const widths = text[0]!.map((_, col) => Math.max(...text.map((r) => (r[col] ?? "").length)));
  const line = (r: readonly string[]) => r.map((c, col) => c.padEnd(widths[col]!)).join("  ");
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(`${line(text[0]!)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n`);
  for (const r of text.slice(1)) process.stdout.write(`${line(r)}\n`);
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return "n/a";
  if (Math.abs(n) >= 100) return String(Math.round(n));
  return String(Math.round(n * 100) / 100);
}

/** Writes `.bench-data/results-<name>.json` and says where. */
export function writeResults(name: string, summary: Record<string, unknown>): string {
  mkdirSync(BENCH_DIR, { recursive: true });
  const path = join(BENCH_DIR, `results-${name}.json`);
  const body = { benchmark: name, at: new Date().toISOString(), machine: machineNotes(), ...summary };
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`);
  process.stdout.write(`\nsummary written to ${path}\n`);
  return path;
}

/** A progress line on stderr (stdout carries the tables). */
export const note = (text: string): void => {
  process.stderr.write(`[bench] ${text}\n`);
};
