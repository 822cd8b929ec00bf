/**
 * Request time limits and the per-key upload cap against the real server, with slow clients on raw sockets
 * (issue 9, finding 6): headers that never end, a body dripped a byte a second, a body that falls silent, and a
 * fifth concurrent upload of one key. Each abort is one low-level log line, none at error level, and the server
 * keeps serving. The four client tests run at once (the rate floor's 20 s window sets the pace).
 */

import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { waitFor } from "../helpers/wait.js";
import { openSlowClient, uploadHead } from "./slow-client.js";
import { expectServing } from "./support.js";

interface LogLine {
  level: number;
  msg: string;
  reason?: string;
  remote?: string;
  url?: string;
  err?: unknown;
}

const DEBUG = 20;
const INFO = 30;
const WARN = 40;
const lines: LogLine[] = [];
/** The log lines that mention a client (by the address the server saw, or by the tag in its URL). */
const about = (needle: string) => lines.filter((l) => l.remote === needle || l.url?.endsWith(`t=${needle}`));

describe("request limits: slow clients are cut off, one key's uploads are capped", () => {
  let h: TestHookline;
  beforeAll(async () => {
    const log = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s) as LogLine) });
    h = await startTestHookline({
      log,
      env: {
        HOOKLINE_HEADERS_TIMEOUT: "1",
        HOOKLINE_IDLE_TIMEOUT: "1.5",
        HOOKLINE_MIN_BODY_RATE: "1",
        HOOKLINE_MAX_UPLOADS_PER_KEY: "4",
      },
    });
  });
  afterAll(() => h.stop());

  it.concurrent("headers that never end are cut off after the headers timeout, with a 408", async () => {
    const c = await openSlowClient(h.url);
    c.write("GET /api/v1/generate/credit HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    c.drip(200);
    const ms = await c.closedWithin(8_000);
    c.destroy();
    expect(ms, "still open after 8 s").toBeGreaterThan(0);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(about(c.remote)).toMatchObject([{ level: INFO, reason: "headers timeout" }]);
  });

  it.concurrent("a body dripped a byte a second is cut off by the rate floor", async () => {
    const { apiKey } = await h.newKey("drip");
    const c = await openSlowClient(h.url);
    c.write(uploadHead(apiKey, "drip"));
    c.drip(1_000);
    const ms = await c.closedWithin(30_000);
    c.destroy();
    expect(ms, "still open after 30 s").toBeGreaterThan(0);
    expect(ms).toBeGreaterThanOrEqual(19_500); // one whole 20 s window was given
    expect(c.received()).toBe(""); // a destroyed socket is not answered
    expect(about("drip")).toMatchObject([{ level: INFO, reason: "body too slow" }]);
  });

  it.concurrent("a body that falls silent is cut off by the idle timeout", async () => {
    const { apiKey } = await h.newKey("silent");
    const c = await openSlowClient(h.url);
    c.write(`${uploadHead(apiKey, "silent")}${"x".repeat(1000)}`);
    const ms = await c.closedWithin(8_000);
    c.destroy();
    expect(ms, "still open after 8 s").toBeGreaterThan(0);
    expect(ms).toBeGreaterThanOrEqual(1_400);
    expect(about("silent")).toMatchObject([{ level: INFO, reason: "idle timeout" }]);
  });

  it.concurrent("a key's fifth upload in progress gets 430 at once, before its body; another key still uploads", async () => {
    const a = await h.newKey("busy");
    const b = await h.newKey("other");
    const four = await Promise.all([1, 2, 3, 4].map(() => openSlowClient(h.url)));
    four.forEach((c, i) => {
      c.write(uploadHead(a.apiKey, `cap${i}`));
      c.drip(300); // alive for the idle timeout, far under the rate floor's first window
    });
    await new Promise((r) => setTimeout(r, 500));

    const fifth = await openSlowClient(h.url);
    const asked = performance.now();
    fifth.write(`${uploadHead(a.apiKey, "cap-fifth").split("\r\n\r\n")[0]}\r\n\r\n`); // headers only
    const ms = await fifth.firstAnswer(asked);
    await fifth.closed; // the refusal closes the connection: its body is never read
    expect(ms).toBeLessThan(1_000);
    const raw = fifth.received();
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    expect(raw.toLowerCase()).toContain("connection: close");
    const env = JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4));
    expect(env).toMatchObject({ success: false, code: 430, data: null });

    const form = new FormData();
    form.set("uploadPath", "other");
    form.set("file", new Blob(["not audio"]), "note.txt");
    const other = await h.call("/api/file-stream-upload", { method: "POST", body: form, key: b.apiKey });
    expect(other).toMatchObject({ success: true, code: 200 });

    // Clients giving up, by FIN or by RST: a debug line each, and their slots are freed.
    for (const [i, c] of four.entries()) {
      if (i % 2 === 0) c.destroy();
      else c.reset();
    }
    await Promise.all(four.map((c) => c.closed));
    await new Promise((r) => setTimeout(r, 200));
    const again = new FormData();
    again.set("uploadPath", "busy");
    again.set("file", new Blob(["again"]), "again.txt");
    const freed = await h.call("/api/file-stream-upload", { method: "POST", body: again, key: a.apiKey });
    expect(freed).toMatchObject({ success: true, code: 200 });
    for (const i of [0, 1, 2, 3]) {
      expect(about(`cap${i}`), `cap${i}`).toMatchObject([
        { level: DEBUG, msg: expect.stringMatching(/mid-request/) },
      ]);
    }
    expect(about("cap-fifth")).toEqual([]);
  });

  it.concurrent("a client that leaves mid-body (JSON, base64 upload) is one debug line and no answer", async () => {
    const { apiKey } = await h.newKey("leaving");
    const post = (path: string, tag: string, start: string) =>
      [
        `POST ${path}?t=${tag} HTTP/1.1`,
        "Host: 127.0.0.1",
        `Authorization: Bearer ${apiKey}`,
        "Content-Type: application/json",
        "Content-Length: 100000",
        "",
        start,
      ].join("\r\n");
    const json = await openSlowClient(h.url);
    json.write(post("/api/v1/wav/generate", "json-left", '{"audioId":"'));
    const b64 = await openSlowClient(h.url);
    b64.write(post("/api/file-base64-upload", "b64-left", '{"uploadPath":"x","base64Data":"AAAA'));
    await new Promise((r) => setTimeout(r, 300));
    json.reset();
    b64.destroy();
    await Promise.all([json.closed, b64.closed]);
    await waitFor("abort lines", () => about("json-left").length > 0 && about("b64-left").length > 0);
    await new Promise((r) => setTimeout(r, 300)); // room for a second line, which must not come
    for (const tag of ["json-left", "b64-left"]) {
      expect(about(tag), tag).toMatchObject([{ level: DEBUG, msg: expect.stringMatching(/mid-request/) }]);
    }
    expect(json.received() + b64.received()).toBe("");
  });

  it("afterwards the server answers, and nothing was logged at error level or with a stack", async () => {
    await expectServing(h);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines.filter((l) => l.err !== undefined)).toEqual([]);
    expect(lines.filter((l) => l.reason !== undefined).map((l) => l.reason)).toEqual(
      expect.arrayContaining(["headers timeout", "body too slow", "idle timeout"]),
    );
  });
});

describe("request limits, kie dialect: the upload cap, the whole-request timeout, the connection cap", () => {
  let h: TestHookline;
  beforeAll(async () => {
    const log = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s) as LogLine) });
    h = await startTestHookline({
      log,
      env: {
        HOOKLINE_HEADERS_TIMEOUT: "1",
        HOOKLINE_REQUEST_TIMEOUT: "2",
        HOOKLINE_IDLE_TIMEOUT: "10",
        HOOKLINE_MIN_BODY_RATE: "0",
        HOOKLINE_MAX_CONNECTIONS: "3",
        HOOKLINE_MAX_UPLOADS_PER_KEY: "1",
        HOOKLINE_CODE_DIALECT: "kie",
      },
    });
  });
  afterAll(() => h.stop());

  it("with a cap of one, a key's second upload in progress answers 429 (kie), success:false", async () => {
    const { apiKey } = await h.newKey("one");
    const first = await openSlowClient(h.url);
    first.write(uploadHead(apiKey, "kie-first"));
    await new Promise((r) => setTimeout(r, 300));
    const second = await openSlowClient(h.url);
    second.write(`${uploadHead(apiKey, "kie-second").split("\r\n\r\n")[0]}\r\n\r\n`);
    await second.closed;
    const raw = second.received();
    expect(JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4))).toMatchObject({ success: false, code: 429 });
    first.destroy();
    await first.closed;
  });

  it("a body still arriving when the request timeout ends is cut off, without error lines", async () => {
    const before = lines.length;
    const c = await openSlowClient(h.url);
    c.write(uploadHead(h.apiKey, "whole"));
    c.drip(200); // steady enough for the idle timeout, and no floor to fall under
    const ms = await c.closedWithin(8_000);
    c.destroy();
    expect(ms, "still open after 8 s").toBeGreaterThan(0);
    expect(ms).toBeGreaterThanOrEqual(1_900);
    expect(about("whole")).toMatchObject([{ level: INFO, reason: "request timeout" }]);
    expect(lines.slice(before).filter((l) => l.level >= 50)).toEqual([]);
    await expectServing(h);
  });

  it("connections past the cap are closed at once, and the server answers again once they are gone", async () => {
    const before = lines.length;
    const held = [];
    let refused: number | null = null;
    // The cap counts every connection, a keep-alive one of fetch's included: one of five is over it for sure.
    for (let i = 0; i < 5 && refused === null; i++) {
      const c = await openSlowClient(h.url);
      held.push(c);
      const ms = await c.closedWithin(300);
      refused = ms < 0 ? null : ms;
    }
    for (const c of held) c.destroy();
    expect(refused, "no connection was refused").not.toBeNull();
    expect(refused).toBeLessThan(300);
    expect(
      lines.slice(before).filter((l) => l.level === WARN && /connection limit/.test(l.msg)),
    ).toHaveLength(1);
    await Promise.all(held.map((c) => c.closed));
    await expectServing(h);
  });
});
