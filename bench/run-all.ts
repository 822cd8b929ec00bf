/**
 * Runs every benchmark, one after the other, each in its own Node process (so that one's memory and JIT state
 * do not colour the next one's figures). `npm run bench` runs this; `--quick` (smaller sizes, fewer rounds)
 * and `--rounds N` are passed on to each.
 *
 *   node dist/bench/run-all.js [--quick] [--rounds N] [wav|delivery|submit|cover|voice|slow-clients|storage|peers|workers|dead-receiver …]
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { note } from "./lib/report.js";

const ALL = [
  "wav",
  "delivery",
  "submit",
  "cover",
  "voice",
  "slow-clients",
  "fairness",
  "disk-use",
  "storage",
  "peers",
  "workers",
  "dead-receiver",
] as const;
const argv = process.argv.slice(2);
const picked = argv.filter((a): a is (typeof ALL)[number] => (ALL as readonly string[]).includes(a));
const passOn = argv.filter((a) => !picked.includes(a as (typeof ALL)[number]));

function run(name: string): Promise<number | null> {
  const script = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...passOn], { stdio: "inherit" });
    child.once("error", reject);
    child.once("close", resolve);
  });
}

const failed: string[] = [];
for (const name of picked.length > 0 ? picked : ALL) {
  note(`=== ${name} ===`);
  const started = Date.now();
  const code = await run(name);
  note(
    `=== ${name}: ${code === 0 ? "done" : `exited with ${code}`} in ${Math.round((Date.now() - started) / 1000)} s ===`,
  );
  if (code !== 0) failed.push(name);
}
// Benchmarks print figures and never judge them; a non-zero exit only means one could not run at all.
if (failed.length > 0) {
  note(`could not run: ${failed.join(", ")}`);
  process.exitCode = 1;
}
