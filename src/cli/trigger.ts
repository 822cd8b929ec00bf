/**
 * `hookline trigger EVENT…`: sends signed sample callbacks to a receiver straight from the CLI, no server, task or
 * audio needed (as `stripe trigger` does for Stripe's events).
 * @module
 */
import { parseArgs } from "node:util";
import { CLIENT_OPTIONS } from "../config/index.js";
import { HooklineError } from "../lib/errors.js";
import {
  SAMPLE_EVENTS,
  type SampleEvent,
  SPELLINGS,
  type Spelling,
  sampleCallback,
  sampleEvent,
} from "./samples.js";
import { answerText, excerptLine, receiverClient, signedHeaders, signingSetup, timeoutMs } from "./send.js";

/** Where `hookline listen` listens by default. */
const DEFAULT_TO = "http://127.0.0.1:3001/";
/** The server's callback timeout (spec 8). */
const DEFAULT_TIMEOUT_S = 15;

const USAGE = `Usage: hookline trigger EVENT… [--to URL] [--secret whsec_…] [--spelling both|camel|snake] [--no-hmac]
                        [--timeout S] [--json]
       hookline trigger --list [--json]
Sends a signed sample callback of each EVENT to a receiver, as the server would (same body builders, same
signatures, a fresh msg_… id and timestamp each), without a server, a task or audio. Prints the receiver's answer.
  --to URL          the receiver (default ${DEFAULT_TO}, where \`hookline listen\` listens)
  --secret KEY      the webhook key to sign with (or ${CLIENT_OPTIONS.webhookKeys.env}); required
  --spelling S      both: Hookline's bodies (taskId and task_id, audioWavUrl and audio_wav_url); camel or snake:
                    one spelling only, as the resellers' pages write them (default both)
  --no-hmac         leave out the reseller X-Webhook-* headers (sent by default, as for a key with HMAC on)
  --timeout S       how long to wait for an answer, seconds (default ${DEFAULT_TIMEOUT_S}, the server's)
  --json            one JSON line per callback
  --list            the events
Result URLs in the samples name ${CLIENT_OPTIONS.url.env}'s /files/sample/…: no such file exists (they do not download).
Exit code 1 when a receiver did not answer 2xx.`;

/** Checks `--spelling`. */
function spellingOf(text: string | undefined): Spelling {
  const found = SPELLINGS.find((s) => s === (text ?? "both"));
  if (!found) throw new HooklineError("bad_request", `--spelling ${SPELLINGS.join("|")}`);
  return found;
}

function listEvents(json: boolean): number {
  if (json) {
    process.stdout.write(`${JSON.stringify(SAMPLE_EVENTS)}\n`);
    return 0;
  }
  for (const e of SAMPLE_EVENTS) {
    process.stdout.write(
      `${e.name.padEnd(26)}${e.family.padEnd(16)}${e.outcome.padEnd(9)}${String(e.code).padEnd(5)}${e.msg}\n`,
    );
  }
  return 0;
}

/** `hookline trigger …` */
export async function trigger(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      to: { type: "string" },
      secret: { type: "string", multiple: true },
      spelling: { type: "string" },
      "no-hmac": { type: "boolean" },
      timeout: { type: "string" },
      json: { type: "boolean" },
      list: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const json = values.json === true;
  if (values.list) return listEvents(json);
  if (positionals.length === 0) throw new HooklineError("bad_request", `name an event (--list)\n${USAGE}`);
  const events: SampleEvent[] = positionals.map((name) => {
    const e = sampleEvent(name);
    if (!e) throw new HooklineError("bad_request", `unknown event "${name}" (hookline trigger --list)`);
    return e;
  });
  const spelling = spellingOf(values.spelling);
  const wait = timeoutMs(values.timeout, DEFAULT_TIMEOUT_S);
  const { key, filesBase } = signingSetup(values.secret ?? []);
  const to = values.to ?? DEFAULT_TO;
  const client = receiverClient(to, wait);
  let failed = 0;
  try {
    for (const event of events) {
      const sample = sampleCallback(event, spelling, filesBase);
      const body = JSON.stringify(sample.body);
      const { messageId, headers } = signedHeaders(sample.taskId, body, {
        key,
        hmac: values["no-hmac"] !== true,
      });
      const r = await client.post(body, headers);
      const ok = r.status !== null && r.status >= 200 && r.status < 300;
      if (!ok) failed++;
      const report = {
        event: event.name,
        family: event.family,
        outcome: event.outcome,
        code: event.code,
        spelling,
        url: to,
        taskId: sample.taskId,
        messageId,
        ok,
        status: r.status,
        latencyMs: r.latencyMs,
        error: r.errorClass === null ? null : { class: r.errorClass, message: r.errorMessage },
        excerpt: r.excerpt,
      };
      process.stdout.write(
        json
          ? `${JSON.stringify(report)}\n`
          : `${event.name} → ${to}  ${answerText(r)} in ${r.latencyMs} ms  task ${sample.taskId}  ${excerptLine(r)}\n`,
      );
    }
  } finally {
    await client.close();
  }
  return failed === 0 ? 0 : 1;
}
