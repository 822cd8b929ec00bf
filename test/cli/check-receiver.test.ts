/**
 * `hookline check-receiver` as a child process: each receiver of `examples/` passes every check (and accepts every
 * sample `hookline trigger` sends); receivers that are
 * wrong on purpose fail exactly the checks about what they do wrong (accepting everything, answering slowly, failing
 * on a duplicate). What the checks send is itself checked with the `standardwebhooks` package.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCallbackHandler, nodeCallbackListener } from "../../src/client/index.js";
import { childEnv, stopChild } from "../helpers/process.js";
import { startReceiver } from "../helpers/receiver.js";
import { requireBuild, runCli } from "./run.js";

const KEY = `whsec_${randomBytes(32).toString("base64")}`;

const FAMILY_CHECKS = ["wav", "cover", "voice-validate", "voice-generate"].flatMap((f) =>
  ["success", "failure"].flatMap((o) => [`${f}.${o}.camel`, `${f}.${o}.snake`]),
);
const ALL = [...FAMILY_CHECKS, "duplicate", "forged-signature", "stale-timestamp", "unsigned", "large-body"];

interface Report {
  receiver: string;
  timeoutMs: number;
  warnAfterMs: number;
  checks: {
    id: string;
    expected: string;
    status: number | null;
    error: string | null;
    latencyMs: number;
    verdict: string;
    note: string;
  }[];
  summary: { total: number; passed: number; warned: number; failed: number; durationMs: number; ok: boolean };
}

async function check(url: string, extra: string[] = []): Promise<{ code: number | null; report: Report }> {
  const r = await runCli(["check-receiver", url, "--secret", KEY, "--json", ...extra], {});
  if (r.stderr !== "") throw new Error(r.stderr);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

/** Each check's verdict, by id. */
const verdicts = (report: Report) => Object.fromEntries(report.checks.map((c) => [c.id, c.verdict]));
/** Every check `pass` but those named, which have the verdict given. */
const expecting = (others: Record<string, string>) =>
  Object.fromEntries(ALL.map((id) => [id, others[id] ?? "pass"]));

const EXAMPLES = [
  { name: "node-http", path: "/anything" },
  { name: "express", path: "/hookline" },
  { name: "fastify", path: "/hookline" },
  { name: "fetch", path: "/hook" },
] as const;

/** Starts `dist/examples/<name>.js` and answers its URL once it printed the port it listens on. */
async function startExample(name: string, path: string): Promise<{ child: ChildProcess; url: string }> {
  const file = resolve(import.meta.dirname, `../../dist/examples/${name}.js`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\``);
  const child = spawn(process.execPath, [file], {
    env: childEnv({ HOOKLINE_WEBHOOK_KEY: KEY, PORT: "0" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = await new Promise<number>((res, rej) => {
    let buffer = "";
    child.stdout?.on("data", (c: Buffer) => {
      buffer += c.toString();
      const m = /\{"listening":(\d+)\}/.exec(buffer);
      if (m) res(Number(m[1]));
    });
    child.once("exit", (code) => rej(new Error(`${name} exited ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}${path}` };
}

/** A receiver in this process, made with the SDK's Node listener. */
async function serve(listener: RequestListener): Promise<{ url: string; server: Server }> {
  const server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb` };
}

const close = (server: Server) =>
  new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });

describe("hookline check-receiver", () => {
  const children: ChildProcess[] = [];
  const servers: Server[] = [];
  const stops: (() => Promise<void>)[] = [];
  let abort = new AbortController();

  beforeAll(() => requireBuild());
  afterEach(async () => {
    abort.abort();
    abort = new AbortController();
    await Promise.all(children.splice(0).map((c) => stopChild(c)));
    await Promise.all(servers.splice(0).map(close));
    await Promise.all(stops.splice(0).map((s) => s()));
  });

  for (const example of EXAMPLES) {
    it(`examples/${example.name}: every check passes, and every sample trigger sends is accepted`, async () => {
      const ex = await startExample(example.name, example.path);
      children.push(ex.child);
      const { code, report } = await check(ex.url);
      expect(verdicts(report)).toEqual(expecting({}));
      expect(report.checks.map((c) => c.status)).toEqual(
        ALL.map((id) => (/forged|stale|unsigned/.test(id) ? 401 : 200)),
      );
      expect(report.summary).toMatchObject({ total: ALL.length, passed: ALL.length, failed: 0, ok: true });
      expect(code).toBe(0);
      // `hookline trigger`: every sample event, in both spellings, is accepted by the example.
      const list = await runCli(["trigger", "--list", "--json"], {});
      const events = (JSON.parse(list.stdout) as { name: string }[]).map((e) => e.name);
      expect(events.length).toBeGreaterThanOrEqual(18);
      for (const spelling of ["camel", "snake"]) {
        const sent = await runCli(
          ["trigger", ...events, "--to", ex.url, "--secret", KEY, "--spelling", spelling, "--json"],
          {},
        );
        const answers = sent.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as { event: string; status: number | null });
        expect(answers.map((a) => [a.event, a.status])).toEqual(events.map((e) => [e, 200]));
        expect(sent.code).toBe(0);
      }
    });
  }

  it("a table on the terminal: one aligned row per check and the summary", async () => {
    const ex = await startExample("node-http", "/");
    children.push(ex.child);
    const help = await runCli(["check-receiver", "--help"], {});
    expect(help.stdout).toMatch(/^Usage: hookline check-receiver URL \[--secret whsec_…\]/);
    const r = await runCli(["check-receiver", ex.url, "--secret", KEY], {});
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^check +expected +got +latency +verdict +note$/);
    expect(lines).toHaveLength(ALL.length + 2);
    const column = lines[0]!.indexOf("verdict");
    for (const line of lines.slice(1, -1)) expect(line.slice(column, column + 4)).toBe("PASS");
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^${ALL.length} checks against .+: ${ALL.length} passed, 0 warned, 0 failed \\(\\d+\\.\\d s\\)$`,
      ),
    );
  });

  it("a receiver that accepts everything fails the forged, stale and unsigned checks; what each check sent is as said", async () => {
    const r = await startReceiver((_req, res) => res.writeHead(200).end("ok"));
    stops.push(() => r.close());
    const { code, report } = await check(`${r.origin}/cb`);
    expect(verdicts(report)).toEqual(
      expecting({ "forged-signature": "fail", "stale-timestamp": "fail", unsigned: "fail" }),
    );
    expect(report.checks.find((c) => c.id === "unsigned")?.note).toBe("accepted an unsigned callback");
    expect(report.summary).toMatchObject({ passed: ALL.length - 3, failed: 3, ok: false });
    expect(code).toBe(1);

    // Family checks and the duplicate (sent twice) verify; the others are forged, stale, unsigned and large.
    const webhook = new Webhook(KEY);
    const verifies = (h: IncomingHttpHeaders, body: string) => {
      try {
        webhook.verify(body, {
          "webhook-id": String(h["webhook-id"]),
          "webhook-timestamp": String(h["webhook-timestamp"]),
          "webhook-signature": String(h["webhook-signature"]),
        });
        return true;
      } catch {
        return false;
      }
    };
    /** The stale message's signature, checked without a clock by this test's own HMAC. */
    const signedAt = (h: IncomingHttpHeaders, body: string) => {
      const ts = String(h["webhook-timestamp"]);
      const mac = createHmac("sha256", Buffer.from(KEY.slice(6), "base64"))
        .update(`${String(h["webhook-id"])}.${ts}.${body}`)
        .digest("base64");
      return h["webhook-signature"] === `v1,${mac}` ? Number(ts) : null;
    };
    const reqs = r.requests;
    expect(reqs).toHaveLength(ALL.length + 1);
    for (const q of reqs.slice(0, FAMILY_CHECKS.length + 2)) expect(verifies(q.headers, q.body)).toBe(true);
    const [dupFirst, dupAgain, forged, stale, unsigned, large] = reqs.slice(FAMILY_CHECKS.length);
    expect(dupAgain!.headers["webhook-id"]).toBe(dupFirst!.headers["webhook-id"]);
    expect(dupAgain!.body).toBe(dupFirst!.body);
    expect(verifies(forged!.headers, forged!.body)).toBe(false);
    expect(forged!.headers["webhook-signature"]).toMatch(/^v1,/);
    expect(verifies(stale!.headers, stale!.body)).toBe(false);
    const staleAt = signedAt(stale!.headers, stale!.body);
    expect(staleAt).not.toBeNull();
    expect(Date.now() / 1000 - (staleAt ?? 0)).toBeGreaterThan(590);
    expect(unsigned!.headers["webhook-signature"]).toBeUndefined();
    expect(unsigned!.headers["x-webhook-signature"]).toBeUndefined();
    expect(Buffer.byteLength(large!.body)).toBe(256 * 1024);
    expect(verifies(large!.headers, large!.body)).toBe(true);
  });

  it("a receiver slower than --timeout fails the checks it is slow on", async () => {
    // Verifies and refuses at once, but takes 4 s over a WAV callback: with --timeout 3 (warnings after 1 s), those checks time out.
    const { server, url } = await serve(
      nodeCallbackListener({
        keys: [KEY],
        async onCallback(cb) {
          if (cb.family === "wav") await sleep(4000, undefined, { signal: abort.signal });
        },
      }),
    );
    servers.push(server);
    const { code, report } = await check(url, ["--timeout", "3"]);
    const slow = [
      "wav.success.camel",
      "wav.success.snake",
      "wav.failure.camel",
      "wav.failure.snake",
      "duplicate",
      "large-body",
    ];
    expect(verdicts(report)).toEqual(expecting(Object.fromEntries(slow.map((id) => [id, "fail"]))));
    for (const c of report.checks.filter((c) => slow.includes(c.id))) {
      expect(c.status).toBeNull();
      expect(c.error).toMatch(/^timeout: no answer within 3000 ms/);
    }
    expect(report.checks.find((c) => c.id === "duplicate")?.note).toMatch(
      /^the first delivery was not accepted: no answer \(timeout/,
    );
    expect(report).toMatchObject({ timeoutMs: 3000, warnAfterMs: 1000 });
    expect(code).toBe(1);
  });

  it("a receiver that fails a message it has seen fails the duplicate check only", async () => {
    const seen = new Set<string>();
    const { server, url } = await serve(
      nodeCallbackListener({
        keys: [KEY],
        idempotency: false,
        onCallback(_cb, { messageId }) {
          if (seen.has(messageId)) throw new Error("seen before");
          seen.add(messageId);
        },
      }),
    );
    servers.push(server);
    const { code, report } = await check(url);
    expect(verdicts(report)).toEqual(expecting({ duplicate: "fail" }));
    expect(report.checks.find((c) => c.id === "duplicate")).toMatchObject({
      status: 500,
      note: "answered 500",
    });
    expect(code).toBe(1);
  });

  it("refusals by a server error and a large body refused as 400 warn; 413 passes; warnings keep exit code 0", async () => {
    const handle = createCallbackHandler({ keys: [KEY], onCallback: () => undefined });
    const { server, url } = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const rawBody = Buffer.concat(chunks);
        // Refuses what does not verify with 500 instead of 401, and big bodies with 400 (or 413 on /strict).
        if (rawBody.length > 64 * 1024) return void res.writeHead(req.url === "/strict" ? 413 : 400).end();
        void handle({ headers: req.headers, rawBody }).then((a) =>
          res.writeHead(a.status === 401 ? 500 : a.status).end(),
        );
      });
    });
    servers.push(server);
    const { code, report } = await check(url);
    expect(verdicts(report)).toEqual(
      expecting({
        "forged-signature": "warn",
        "stale-timestamp": "warn",
        unsigned: "warn",
        "large-body": "warn",
      }),
    );
    expect(report.checks.find((c) => c.id === "unsigned")?.note).toBe(
      "refused an unsigned callback with a server error",
    );
    expect(report.summary).toMatchObject({ warned: 4, failed: 0, ok: true });
    expect(code).toBe(0);
    const strict = await check(url.replace(/\/cb$/, "/strict"));
    expect(strict.report.checks.find((c) => c.id === "large-body")).toMatchObject({
      status: 413,
      verdict: "pass",
    });
  });

  it("a receiver that cannot be reached ends the run at once, every check failed", async () => {
    const r = await startReceiver(() => undefined);
    await r.close();
    const { code, report } = await check(`${r.origin}/cb`);
    expect(report.checks[0]?.error).toMatch(/^connect: /);
    expect(report.checks.slice(1).every((c) => c.error?.startsWith("not_sent") && c.latencyMs === 0)).toBe(
      true,
    );
    expect(report.summary).toMatchObject({ failed: ALL.length, ok: false });
    expect(code).toBe(1);
  });
});
