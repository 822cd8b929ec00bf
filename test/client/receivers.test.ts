/**
 * The receiver adapters in-process, fed by a real Hookline's callbacks (rotation, redelivery) and by callbacks this
 * test signs itself (forged, stale, replayed, concurrent duplicates, a failing handler).
 */
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import express from "express";
import Fastify from "fastify";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Callback,
  type CallbackHandlerOptions,
  createCallbackHandler,
  expressCallbackMiddleware,
  fastifyCallbackPlugin,
  HooklineClient,
  nodeCallbackListener,
  openSqliteIdempotencyStore,
} from "../../src/client/index.js";
import { rotateWebhookKey } from "../../src/keys/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { waitFor } from "../helpers/wait.js";

const KEY = "whsec_dGVzdC1rZXktZm9yLXJlY2VpdmVyLXRlc3RzLTMyYg==";
const TASK = "aaaabbbbccccddddeeeeffff00001111";
const BODY = JSON.stringify({
  code: 200,
  msg: "success",
  taskId: TASK,
  data: { task_id: TASK, audioWavUrl: "u" },
});

/** Headers of a callback signed by this test (standardwebhooks + its own HMAC). */
function signed(key = KEY, id = "msg_one", ts = Math.floor(Date.now() / 1000), body = BODY) {
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(ts),
    "webhook-signature": new Webhook(key).sign(id, new Date(ts * 1000), body),
    "x-webhook-timestamp": String(ts),
    "x-webhook-signature": createHmac("sha256", key).update(`${TASK}.${ts}`).digest("base64"),
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe("receivers with a real server's callbacks", () => {
  let h: TestHookline;
  let dir: TmpDir;
  let client: HooklineClient;
  let mp3: string;
  const servers: Server[] = [];

  beforeAll(async () => {
    h = await startTestHookline({ env: { HOOKLINE_RETRY_SCHEDULE: "" } });
    dir = await tmpDir("receivers");
    mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
    client = new HooklineClient({ baseUrl: h.url, apiKey: h.apiKey });
  });
  // A test's receivers end with it (the sender's kept-alive connections to them too).
  afterEach(async () => {
    const mine = servers.splice(0);
    for (const s of mine) s.closeAllConnections();
    await Promise.all(mine.map((s) => new Promise((r) => s.close(r))));
  });
  afterAll(async () => {
    await h.stop();
    await dir.cleanup();
  });

  /** Starts a Node receiver with `keys`, converts a track with it as callback URL, answers the first attempt. */
  async function deliverTo(keys: string[]) {
    const got: Callback[] = [];
    const server = createServer(nodeCallbackListener({ keys, onCallback: (cb) => void got.push(cb) }));
    servers.push(server);
    const url = await listen(server);
    const up = await client.uploads.stream({ path: mp3 }, { uploadPath: "r" });
    const { taskId } = await client.wav.generate({ audioId: up.audioId!, callBackUrl: url });
    const attempt = await waitFor(
      "a callback attempt",
      async () => (await client.tasks.deliveries(taskId)).attempts[0],
      { timeoutMs: 20_000 },
    );
    return { attempt, got, taskId };
  }

  it("accepts a rotated key: old and new listed, or the new alone; the old alone fails the reseller header", async () => {
    const old = h.webhookKey;
    const { webhookHmacKey: fresh } = await rotateWebhookKey(
      h.running.services.store,
      h.running.services.clock,
      h.keyId,
      3_600_000,
    );
    const both = await deliverTo([old, fresh]);
    expect(both.attempt.statusCode).toBe(200);
    expect(both.got[0]).toMatchObject({ family: "wav", taskId: both.taskId, succeeded: true });
    expect((await deliverTo([fresh])).attempt.statusCode).toBe(200);
    const oldOnly = await deliverTo([old]);
    expect(oldOnly.attempt.statusCode).toBe(401);
    expect(oldOnly.attempt.responseExcerpt).toContain("signature_mismatch");
    expect(oldOnly.got).toHaveLength(0);
  });
});

describe("createCallbackHandler", () => {
  const options = (extra: Partial<CallbackHandlerOptions> = {}) => {
    const seen: Callback[] = [];
    return { seen, opts: { keys: [KEY], onCallback: (cb: Callback) => void seen.push(cb), ...extra } };
  };

  it("rejects forged, stale and replayed-with-another-body callbacks", async () => {
    const { seen, opts } = options();
    const handle = createCallbackHandler(opts);
    const forged = await handle({
      headers: signed("whsec_b3RoZXIta2V5LW5vdC10aGUtcmlnaHQtb25lLTMyYg=="),
      rawBody: BODY,
    });
    expect(forged).toMatchObject({ status: 401, body: { error: "signature_mismatch" } });
    const stale = await handle({
      headers: signed(KEY, "msg_s", Math.floor(Date.now() / 1000) - 400),
      rawBody: BODY,
    });
    expect(stale).toMatchObject({ status: 401, body: { error: "timestamp_out_of_tolerance" } });
    const headers = signed();
    expect((await handle({ headers, rawBody: BODY.replace("success", "evil") })).status).toBe(401);
    expect(await handle({ headers: {}, rawBody: BODY })).toMatchObject({
      status: 401,
      body: { error: "no_signature" },
    });
    expect(seen).toHaveLength(0);
  });

  it("processes a message once: a replay answers 200 duplicate; concurrent copies get one 200 and 409s", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const seen: string[] = [];
    const handle = createCallbackHandler({
      keys: KEY,
      onCallback: async (_cb, ctx) => {
        seen.push(ctx.messageId);
        await gate;
      },
    });
    const headers = signed(KEY, "msg_conc");
    const first = handle({ headers, rawBody: BODY });
    await new Promise((r) => setTimeout(r, 10));
    const copies = await Promise.all([
      handle({ headers, rawBody: BODY }),
      handle({ headers, rawBody: BODY }),
    ]);
    expect(copies.map((c) => c.status)).toEqual([409, 409]);
    expect(copies[0]?.headers["retry-after"]).toBe("10");
    release();
    expect(await first).toMatchObject({ status: 200, body: { ok: true, duplicate: false } });
    expect(await handle({ headers: signed(KEY, "msg_conc"), rawBody: BODY })).toMatchObject({
      status: 200,
      body: { duplicate: true },
    });
    expect(seen).toEqual(["msg_conc"]);
  });

  it("a handler that throws answers 500 and the next delivery processes the message again", async () => {
    let calls = 0;
    const handle = createCallbackHandler({
      keys: KEY,
      onCallback: () => {
        if (++calls === 1) throw new Error("database down");
      },
    });
    expect(await handle({ headers: signed(KEY, "msg_f"), rawBody: BODY })).toMatchObject({
      status: 500,
      body: { message: "database down" },
    });
    expect(await handle({ headers: signed(KEY, "msg_f"), rawBody: BODY })).toMatchObject({
      status: 200,
      body: { duplicate: false },
    });
    expect(calls).toBe(2);
  });

  it("keys reseller-only callbacks on task and body, and can require a body signature", async () => {
    const { "webhook-id": _a, "webhook-timestamp": _b, "webhook-signature": _c, ...reseller } = signed();
    const { seen, opts } = options();
    const handle = createCallbackHandler(opts);
    expect((await handle({ headers: reseller, rawBody: BODY })).body).toMatchObject({ duplicate: false });
    expect((await handle({ headers: reseller, rawBody: BODY })).body).toMatchObject({ duplicate: true });
    expect(seen).toHaveLength(1);
    const strict = createCallbackHandler({ ...opts, requireBodySignature: true });
    expect(await strict({ headers: reseller, rawBody: BODY })).toMatchObject({
      status: 401,
      body: { error: "body_not_signed" },
    });
  });

  it("with the SQLite store, a replay after a restart of the receiver is still a duplicate", async () => {
    const dir = await tmpDir("idem-restart");
    const path = join(dir.path, "cb.db");
    const { seen, opts } = options();
    const a = await openSqliteIdempotencyStore(path);
    expect(
      (
        await createCallbackHandler({ ...opts, idempotency: a })({
          headers: signed(KEY, "msg_d"),
          rawBody: BODY,
        })
      ).status,
    ).toBe(200);
    await a.close?.();
    const b = await openSqliteIdempotencyStore(path);
    expect(
      (
        await createCallbackHandler({ ...opts, idempotency: b })({
          headers: signed(KEY, "msg_d"),
          rawBody: BODY,
        })
      ).body,
    ).toMatchObject({
      duplicate: true,
    });
    await b.close?.();
    expect(seen).toHaveLength(1);
    await dir.cleanup();
  });
});

describe("framework adapters", () => {
  it("Express: works before express.json() and after express.raw(); says so when the body was parsed first", async () => {
    const seen: string[] = [];
    const onCallback = (cb: Callback) => void seen.push(cb.taskId);
    const app = express();
    app.post("/first", expressCallbackMiddleware({ keys: KEY, onCallback }));
    app.post(
      "/raw",
      express.raw({ type: "application/json" }),
      expressCallbackMiddleware({ keys: KEY, onCallback }),
    );
    app.post("/parsed", express.json(), expressCallbackMiddleware({ keys: KEY, onCallback }));
    const server = createServer(app);
    const url = await listen(server);
    try {
      expect(
        (await fetch(`${url}/first`, { method: "POST", headers: signed(KEY, "msg_e1"), body: BODY })).status,
      ).toBe(200);
      expect(
        (await fetch(`${url}/raw`, { method: "POST", headers: signed(KEY, "msg_e2"), body: BODY })).status,
      ).toBe(200);
      const parsed = await fetch(`${url}/parsed`, {
        method: "POST",
        headers: signed(KEY, "msg_e3"),
        body: BODY,
      });
      expect(parsed.status).toBe(500);
      expect(await parsed.text()).toMatch(/before express\.json\(\)/);
      expect(seen).toEqual([TASK, TASK]);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("Fastify: the plugin reads raw bytes in its own context; the app's other routes still parse JSON", async () => {
    const app = Fastify();
    const seen: string[] = [];
    await app.register(fastifyCallbackPlugin, {
      path: "/hook",
      keys: KEY,
      onCallback: (cb) => void seen.push(cb.family),
    });
    app.post("/json", async (req) => ({ echo: (req.body as { a: number }).a }));
    const hook = await app.inject({
      method: "POST",
      url: "/hook",
      headers: signed(KEY, "msg_f1"),
      payload: BODY,
    });
    expect(hook.statusCode).toBe(200);
    expect(
      (await app.inject({ method: "POST", url: "/hook", headers: signed("whsec_eA=="), payload: BODY }))
        .statusCode,
    ).toBe(401);
    const json = await app.inject({ method: "POST", url: "/json", payload: { a: 7 } });
    expect(json.json()).toEqual({ echo: 7 });
    expect(seen).toEqual(["wav"]);
    await app.close();
  });
});
