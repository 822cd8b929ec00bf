/**
 * `hookline trigger` as a child process: every event of `--list`, in each spelling, reaches a real receiver on
 * 127.0.0.1 that verifies it with the `standardwebhooks` package and its own createHmac (the reseller scheme) and
 * reads it with the SDK's parseCallback as the event's family and outcome; a running `hookline listen --secret`
 * shows it verified; a receiver that refuses makes the exit code 1; no key is refused with the way out.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseCallback } from "../../src/client/index.js";
import { CLI_PATH, childEnv, stopChild } from "../helpers/process.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { requireBuild, runCli } from "./run.js";

const KEY = `whsec_${randomBytes(32).toString("base64")}`;
const header = (h: IncomingHttpHeaders, name: string) => {
  const v = h[name];
  return typeof v === "string" ? v : "";
};

/** What the receiver made of one request, checked by code independent of Hookline's signing. */
interface Seen {
  standard: boolean;
  reseller: boolean | null;
  body: Record<string, any>;
  parsed: ReturnType<typeof parseCallback>;
  headers: IncomingHttpHeaders;
}

function judge(headers: IncomingHttpHeaders, raw: string, key: string): Seen {
  let standard = true;
  try {
    new Webhook(key).verify(raw, {
      "webhook-id": header(headers, "webhook-id"),
      "webhook-timestamp": header(headers, "webhook-timestamp"),
      "webhook-signature": header(headers, "webhook-signature"),
    });
  } catch {
    standard = false;
  }
  const body = JSON.parse(raw) as Record<string, any>;
  const taskId = body.data?.task_id ?? body.data?.taskId;
  const ts = header(headers, "x-webhook-timestamp");
  const reseller =
    ts === ""
      ? null
      : header(headers, "x-webhook-signature") ===
        createHmac("sha256", key).update(`${taskId}.${ts}`).digest("base64");
  return { standard, reseller, body, parsed: parseCallback(raw), headers };
}

interface ListedEvent {
  name: string;
  family: string;
  outcome: "success" | "failure";
  code: number;
}

describe("hookline trigger", () => {
  let receiver: Receiver;
  const seen: Seen[] = [];
  let events: ListedEvent[] = [];
  let listen: ChildProcess | null = null;

  beforeAll(async () => {
    requireBuild();
    receiver = await startReceiver((req, res, body) => {
      const s = judge(req.headers, body, KEY);
      seen.push(s);
      const ok = s.standard && s.reseller !== false;
      res.writeHead(ok ? 200 : 401, { "content-type": "application/json" }).end(JSON.stringify({ ok }));
    });
    const list = await runCli(["trigger", "--list", "--json"], {});
    expect(list.code).toBe(0);
    events = JSON.parse(list.stdout) as ListedEvent[];
  });
  afterEach(async () => {
    seen.length = 0;
    if (listen) await stopChild(listen);
    listen = null;
  });
  afterAll(async () => {
    await receiver.close();
  });

  it("--list names each family's success and every failure code it sends", () => {
    const codes = (prefix: string) =>
      events.filter((e) => e.name.startsWith(prefix) && e.outcome === "failure").map((e) => e.code);
    // Spec 11 #2 (the WAV union), 5.3 (cover), 11 #11 (voice: 400 validation-type, 500 internal).
    expect(codes("wav.")).toEqual([400, 451, 500, 501]);
    expect(codes("cover.")).toEqual([400, 408, 500, 501, 531]);
    expect(codes("voice.validate_failed")).toEqual([400, 500]);
    expect(codes("voice.failed")).toEqual([400, 500]);
    const successes = events.filter((e) => e.outcome === "success").map((e) => e.name);
    expect(successes).toEqual([
      "wav.completed",
      "cover.completed",
      "voice.validated",
      "voice.regenerated",
      "voice.completed",
    ]);
  });

  for (const spelling of ["both", "camel", "snake"] as const) {
    it(`every event, spelled ${spelling}, is signed both ways and parses to its family and outcome`, async () => {
      const names = events.map((e) => e.name);
      const r = await runCli(
        [
          "trigger",
          ...names,
          "--to",
          `${receiver.origin}/hook`,
          "--secret",
          KEY,
          "--spelling",
          spelling,
          "--json",
        ],
        {},
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const lines = r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, any>);
      expect(lines.map((l) => [l.event, l.status, l.ok])).toEqual(names.map((n) => [n, 200, true]));
      expect(seen).toHaveLength(names.length);
      for (const [i, s] of seen.entries()) {
        const event = events[i]!;
        expect(s.standard, event.name).toBe(true);
        expect(s.reseller, event.name).toBe(true);
        expect(header(s.headers, "webhook-id")).toMatch(/^msg_[2-7a-z]{26}$/);
        expect(header(s.headers, "webhook-id")).toBe(lines[i]!.messageId);
        if (!s.parsed.ok) throw new Error(`${event.name}: ${s.parsed.message}`);
        const cb = s.parsed.callback;
        expect([cb.family, cb.succeeded, cb.code], event.name).toEqual([
          event.family,
          event.outcome === "success",
          event.code,
        ]);
        expect(cb.taskId).toMatch(/^[0-9a-f]{32}$/);
        expect(cb.taskId).toBe(lines[i]!.taskId);
        const data = s.body.data as Record<string, unknown>;
        expect("task_id" in data, event.name).toBe(spelling !== "camel");
        expect("taskId" in data, event.name).toBe(spelling !== "snake");
        if (cb.family === "wav") {
          expect("audio_wav_url" in data).toBe(spelling !== "camel");
          expect("audioWavUrl" in data).toBe(spelling !== "snake");
          if (cb.succeeded)
            expect(cb.audioWavUrl).toMatch(/^http:\/\/127\.0\.0\.1:3000\/files\/sample\/.+\.wav$/);
          else expect(cb.audioWavUrl).toBeNull();
        }
        if (cb.family === "cover") expect(cb.images?.length ?? 0).toBe(cb.succeeded ? 2 : 0);
        if (cb.family === "voice-generate" && cb.succeeded)
          expect(cb.voiceId).toMatch(/^voice_[0-9a-f]{32}$/);
        if (cb.family === "voice-validate") expect(Boolean(cb.validateInfo)).toBe(cb.succeeded);
      }
    });
  }

  it("--no-hmac leaves the reseller headers out; HOOKLINE_WEBHOOK_KEY is read; a text line says the answer", async () => {
    const r = await runCli(["trigger", "cover.failed.531", "--to", receiver.origin, "--no-hmac"], {
      HOOKLINE_WEBHOOK_KEY: KEY,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^cover\.failed\.531 → http:\/\/127\.0\.0\.1:\d+ {2}200 in \d+ ms {2}task [0-9a-f]{32} {2}\{"ok":true\}\n$/,
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]!.standard).toBe(true);
    expect(seen[0]!.reseller).toBeNull();
    expect(seen[0]!.headers["x-webhook-signature"]).toBeUndefined();
  });

  it("a receiver that does not answer 2xx makes the exit code 1", async () => {
    const other = `whsec_${randomBytes(32).toString("base64")}`;
    const r = await runCli(
      ["trigger", "wav.completed", "--to", receiver.origin, "--secret", other, "--json"],
      {},
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, status: 401, excerpt: '{"ok":false}' });
    expect(seen.map((s) => s.standard)).toEqual([false]);
  });

  it("refuses to send without a key, and offers a fresh one; refuses an unknown event", async () => {
    const r = await runCli(["trigger", "wav.completed", "--to", receiver.origin], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no webhook key: give --secret whsec_… or HOOKLINE_WEBHOOK_KEY/);
    expect(r.stderr).toMatch(/--secret whsec_[A-Za-z0-9+/]{43}=\)/);
    const unknown = await runCli(["trigger", "wav.exploded", "--secret", KEY, "--to", receiver.origin], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown event "wav.exploded"');
    const help = await runCli(["trigger", "--help"], {});
    expect(help.stdout).toMatch(/^Usage: hookline trigger EVENT… \[--to URL\]/);
    expect(seen).toHaveLength(0);
  });

  it("a running `hookline listen --secret` shows the samples verified", async () => {
    const child = spawn(process.execPath, [CLI_PATH, "listen", "--port", "0", "--json", "--secret", KEY], {
      env: childEnv({}),
      stdio: ["ignore", "pipe", "pipe"],
    });
    listen = child;
    const lines: Record<string, any>[] = [];
    let buffer = "";
    child.stdout?.on("data", (c: Buffer) => {
      buffer += c.toString();
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        lines.push(JSON.parse(buffer.slice(0, nl)) as Record<string, any>);
        buffer = buffer.slice(nl + 1);
      }
    });
    const started = await waitFor("listen to start", () => lines.find((l) => l.event === "listening"));
    const r = await runCli(
      [
        "trigger",
        "wav.completed",
        "voice.validated",
        "--to",
        started.url,
        "--secret",
        KEY,
        "--spelling",
        "snake",
      ],
      {},
    );
    expect(r.code).toBe(0);
    const got = await waitFor("two callbacks", () => {
      const cbs = lines.filter((l) => l.event === "callback");
      return cbs.length === 2 ? cbs : undefined;
    });
    expect(got.map((l) => [l.family, l.verification, l.schemes, l.status])).toEqual([
      ["wav", "verified", ["standard", "reseller"], 200],
      ["voice-validate", "verified", ["standard", "reseller"], 200],
    ]);
    expect(typeof got[1]!.phrase).toBe("string");
  });
});
