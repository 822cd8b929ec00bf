/**
 * `hookline check-receiver URL`: a conformance run against a callback receiver. Every family's callbacks in both
 * spellings must be accepted in time, a duplicate accepted, forged, stale and unsigned callbacks refused, and a large
 * body survived. Checks run one after another (a receiver need not be concurrent-safe).
 * @module
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { CLIENT_OPTIONS } from "../config/index.js";
import { HooklineError } from "../lib/errors.js";
import { CHECKS, type CheckResult, LARGE_BODY_BYTES, STALE_S } from "./receiver-checks.js";
import { receiverClient, signingSetup, timeoutMs } from "./send.js";

const DEFAULT_TIMEOUT_S = 15;

const USAGE = `Usage: hookline check-receiver URL [--secret whsec_…] [--timeout S] [--json]
Sends your receiver ${CHECKS.length} signed sample callbacks, one at a time, and judges each answer:
  every family's success and failure, camel and snake spelling   2xx in time
  duplicate: the same message again (same webhook-id and body)    2xx (the SDK answers {"duplicate":true})
  forged signature, timestamp ${STALE_S / 60} minutes old, no signature       refused: 4xx (401); 5xx warns; 2xx fails
  large body: a valid callback padded to ${LARGE_BODY_BYTES / 1024} KiB                   2xx or 413; another 4xx warns
An answer slower than a third of the timeout warns (answer first, work later); none within it fails.
  --secret KEY   the webhook key your receiver verifies with (or ${CLIENT_OPTIONS.webhookKeys.env}); required
  --timeout S    how long each check waits, seconds (default ${DEFAULT_TIMEOUT_S}, the server's callback timeout)
  --json         one JSON report (checks and summary) instead of the table
Exit code 0 when no check failed, 1 otherwise. A receiver that cannot be reached ends the run at once.`;

/** Errors that say the receiver cannot be reached at all: the checks left would only repeat them. */
const UNREACHABLE = new Set(["connect", "dns", "tls", "refused_target"]);

/** The table a terminal shows: one aligned row per check, then the summary. */
function table(results: readonly CheckResult[], summary: string): string {
  const rows = [
    ["check", "expected", "got", "latency", "verdict", "note"],
    ...results.map((r) => [
      r.id,
      r.expected,
      r.status !== null ? String(r.status) : (r.error?.split(":")[0] ?? "none"),
      `${r.latencyMs} ms`,
      r.verdict.toUpperCase(),
      r.note,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, i) => (i === 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
  return `${lines.join("\n")}\n${summary}\n`;
}

/** `hookline check-receiver URL …` */
export async function checkReceiver(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      secret: { type: "string", multiple: true },
      timeout: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const url = positionals[0];
  if (url === undefined || positionals.length > 1)
    throw new HooklineError("bad_request", `name one URL\n${USAGE}`);
  const wait = timeoutMs(values.timeout, DEFAULT_TIMEOUT_S);
  const { key, filesBase } = signingSetup(values.secret ?? []);
  const client = receiverClient(url, wait);
  const ctx = { client, key, filesBase, warnAfterMs: Math.round(wait / 3) };
  const started = performance.now();
  const results: CheckResult[] = [];
  let unreachable: string | null = null;
  try {
    for (const check of CHECKS) {
      if (unreachable !== null) {
        results.push({
          id: check.id,
          expected: check.expected,
          status: null,
          error: "not_sent: the receiver could not be reached",
          latencyMs: 0,
          verdict: "fail",
          note: `not sent: ${unreachable}`,
        });
        continue;
      }
      const r = await check.run(ctx);
      const kind = r.error?.split(":")[0] ?? "";
      if (UNREACHABLE.has(kind)) unreachable = r.error;
      results.push(r);
    }
  } finally {
    await client.close();
  }
  const count = (v: string) => results.filter((r) => r.verdict === v).length;
  const summary = {
    total: results.length,
    passed: count("pass"),
    warned: count("warn"),
    failed: count("fail"),
    durationMs: Math.round(performance.now() - started),
    ok: count("fail") === 0,
  };
  if (values.json === true) {
    const report = { receiver: url, timeoutMs: wait, warnAfterMs: ctx.warnAfterMs, checks: results, summary };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    const line = `${summary.total} checks against ${url}: ${summary.passed} passed, ${summary.warned} warned, ${summary.failed} failed (${(summary.durationMs / 1000).toFixed(1)} s)`;
    process.stdout.write(table(results, line));
  }
  return summary.ok ? 0 : 1;
}
