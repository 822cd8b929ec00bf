import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import { createOutbound, type Outbound } from "../../src/net/index.js";
import { closedPort, type Receiver, startReceiver, tableLookup } from "../helpers/receiver.js";

const NOW = Date.parse("2026-03-01T12:00:00Z");
let receiver: Receiver;
let out: Outbound;

beforeAll(async () => {
  receiver = await startReceiver((req, res) => {
    const path = req.url ?? "/";
    if (path === "/big")
      res.end("é".repeat(5000)); // two bytes per character
    else if (path === "/fail") res.writeHead(500).end("boom");
    else if (path === "/moved") res.writeHead(302, { location: "/elsewhere" }).end();
    else if (path === "/busy") res.writeHead(429, { "retry-after": "120" }).end();
    else if (path === "/later")
      res.writeHead(503, { "retry-after": new Date(NOW + 90_000).toUTCString() }).end();
    else if (path === "/odd") res.writeHead(503, { "retry-after": "soon" }).end();
    else if (path === "/hang")
      return; // never answers
    else if (path === "/stall") {
      res.writeHead(200);
      res.write("half an answer"); // and never the rest
    } else res.end(JSON.stringify({ ok: true }));
  });
});
afterEach(async () => {
  await out?.close();
});
afterAll(async () => {
  await receiver.close();
});

function open(extra: Parameters<typeof createOutbound>[1] = {}): Outbound {
  out = createOutbound(
    { allowHosts: ["127.0.0.1"], allowPrivate: false },
    { clock: new ManualClock(NOW), ...extra },
  );
  return out;
}

describe("post", () => {
  it("sends the body and headers and returns status, latency and excerpt", async () => {
    const r = await open().post(
      `${receiver.origin}/hook`,
      '{"a":1}',
      { "Content-Type": "application/json", "X-Id": "msg_1" },
      { timeoutMs: 2000 },
    );
    expect(r).toMatchObject({
      status: 200,
      errorClass: null,
      errorMessage: null,
      retryAfterMs: null,
      excerpt: '{"ok":true}',
    });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    const seen = receiver.requests.at(-1);
    expect(seen?.method).toBe("POST");
    expect(seen?.body).toBe('{"a":1}');
    expect(seen?.headers["content-type"]).toBe("application/json");
    expect(seen?.headers["x-id"]).toBe("msg_1");
    expect(seen?.headers["user-agent"]).toBe("Hookline/0.1");
  });

  it("turns URL userinfo into Basic credentials", async () => {
    await open().post(`http://bob:s%40cret@127.0.0.1:${receiver.port}/auth`, "", {}, { timeoutMs: 2000 });
    expect(receiver.requests.at(-1)?.headers.authorization).toBe(
      `Basic ${Buffer.from("bob:s@cret").toString("base64")}`,
    );
  });

  it("truncates the excerpt at excerptBytes without splitting a character", async () => {
    const r = await open().post(`${receiver.origin}/big`, "", {}, { timeoutMs: 2000, excerptBytes: 101 });
    expect(r.status).toBe(200);
    expect(r.excerpt).toBe("é".repeat(50));
  });

  it("returns a 500 as a status, not an error", async () => {
    const r = await open().post(`${receiver.origin}/fail`, "", {}, { timeoutMs: 2000 });
    expect(r).toMatchObject({ status: 500, errorClass: null, excerpt: "boom" });
  });

  it("does not follow a redirect", async () => {
    const before = receiver.requests.length;
    const r = await open().post(`${receiver.origin}/moved`, "", {}, { timeoutMs: 2000 });
    expect(r.status).toBe(302);
    expect(receiver.requests.length - before).toBe(1);
  });

  it("parses Retry-After in seconds and as an HTTP date", async () => {
    const o = open();
    expect((await o.post(`${receiver.origin}/busy`, "", {}, { timeoutMs: 2000 })).retryAfterMs).toBe(120_000);
    expect((await o.post(`${receiver.origin}/later`, "", {}, { timeoutMs: 2000 })).retryAfterMs).toBe(90_000);
    expect((await o.post(`${receiver.origin}/odd`, "", {}, { timeoutMs: 2000 })).retryAfterMs).toBeNull();
  });

  it("classifies a hanging receiver as a timeout", async () => {
    const r = await open().post(`${receiver.origin}/hang`, "", {}, { timeoutMs: 300 });
    expect(r).toMatchObject({ status: null, errorClass: "timeout" });
    expect(r.latencyMs).toBeGreaterThanOrEqual(250);
    expect(r.latencyMs).toBeLessThan(3000);
  });

  it("a body that stalls after the status is cut at the deadline; the status and what came are kept", async () => {
    const r = await open().post(`${receiver.origin}/stall`, "", {}, { timeoutMs: 300 });
    expect(r).toMatchObject({ status: 200, errorClass: null, excerpt: "half an answer" });
    expect(r.latencyMs).toBeGreaterThanOrEqual(250);
    expect(r.latencyMs).toBeLessThan(3000);
  });

  it("follows a caller's own signal as well as its deadline", async () => {
    const caller = new AbortController();
    const pending = open().post(
      `${receiver.origin}/hang`,
      "",
      {},
      { timeoutMs: 5000, signal: caller.signal },
    );
    setTimeout(() => caller.abort(new Error("shutting down")), 100);
    const r = await pending;
    expect(r.status).toBeNull();
    expect(r.errorClass).not.toBe("timeout");
    expect(r.latencyMs).toBeLessThan(3000);
  });

  it("classifies a closed port as a connect error", async () => {
    const port = await closedPort();
    const r = await open().post(`http://bob:secret@127.0.0.1:${port}/`, "", {}, { timeoutMs: 2000 });
    expect(r).toMatchObject({ status: null, errorClass: "connect" });
    expect(r.errorMessage).toContain("ECONNREFUSED");
    expect(r.errorMessage).not.toContain("secret");
  });

  it("classifies a resolver failure as dns", async () => {
    const r = await open({ lookup: tableLookup({}) }).post("http://gone.test/", "", {}, { timeoutMs: 2000 });
    expect(r).toMatchObject({ status: null, errorClass: "dns" });
    expect(r.errorMessage).toContain("ENOTFOUND");
  });

  it("honours the caller's abort signal", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const r = await open().post(
      `${receiver.origin}/hang`,
      "",
      {},
      { timeoutMs: 5000, signal: controller.signal },
    );
    expect(r).toMatchObject({ status: null, errorClass: "other" });
  });

  it("sends nothing when the caller's signal is already aborted", async () => {
    const before = receiver.requests.length;
    const r = await open().post(
      `${receiver.origin}/hook`,
      "",
      {},
      { timeoutMs: 5000, signal: AbortSignal.abort() },
    );
    expect(r).toMatchObject({ status: null, errorClass: "other" });
    expect(receiver.requests.length).toBe(before);
  });

  it("keeps the connection alive across sequential posts", async () => {
    const o = open();
    const before = receiver.connections;
    for (let i = 0; i < 5; i++) {
      expect((await o.post(`${receiver.origin}/hook`, `{"n":${i}}`, {}, { timeoutMs: 2000 })).status).toBe(
        200,
      );
    }
    expect(receiver.connections - before).toBe(1);
  });
});
