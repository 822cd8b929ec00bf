/**
 * `hookline listen` as a child process, driven by real callbacks from a real `hookline serve --dev` child: it prints
 * and verifies each callback, forwards it, refuses a forged one, and with `--save` downloads the WAV once however
 * often the callback comes, and after a restart finishes a download that could not be made before.
 *
 * The WAV links point at a small proxy in this test (HOOKLINE_PUBLIC_URL), which can refuse downloads with 503:
 * that is how a download is made to fail until listen is killed, and to work after its restart.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HooklineClient } from "../../src/client/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import {
  CLI_PATH,
  type CliKey,
  childEnv,
  createKeyWithCli,
  killAllChildren,
  startHooklineProcess,
  stopChild,
} from "../helpers/process.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";

type Event = Record<string, any>;

interface Listen {
  child: ChildProcess;
  url: string;
  events: Event[];
  started: Event;
}

async function startListen(args: string[]): Promise<Listen> {
  const child = spawn(process.execPath, [CLI_PATH, "listen", "--port", "0", "--json", ...args], {
    env: childEnv({}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: Event[] = [];
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const started = await new Promise<Event>((resolve, reject) => {
    let buffer = "";
    child.stdout?.on("data", (c: Buffer) => {
      buffer += c.toString();
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const event = JSON.parse(buffer.slice(0, nl)) as Event;
        buffer = buffer.slice(nl + 1);
        if (event.event === "listening") resolve(event);
        events.push(event);
      }
    });
    child.once("exit", (code) => reject(new Error(`listen exited ${code}: ${stderr}`)));
  });
  return { child, url: `${started.url}cb`, events, started };
}

describe("hookline listen", () => {
  let dir: TmpDir;
  let key: CliKey;
  let client: HooklineClient;
  let forwardTarget: Receiver;
  let proxy: Server;
  let proxyOpen = true;
  let mp3: string;
  const listens: Listen[] = [];

  beforeAll(async () => {
    dir = await tmpDir("listen");
    mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
    // Links name the proxy, which the test can close: it starts first (on port 0), the server's address comes later.
    let upstream = "";
    proxy = createServer((req, res) => {
      if (!proxyOpen) return void res.writeHead(503).end("closed for the test");
      const forward = request(`${upstream}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(forward);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const { port: proxyPort } = proxy.address() as AddressInfo;
    const env = {
      HOOKLINE_DATA_DIR: join(dir.path, "data"),
      HOOKLINE_PUBLIC_URL: `http://127.0.0.1:${proxyPort}`,
      HOOKLINE_LOG_LEVEL: "warn",
      HOOKLINE_CONCURRENCY: "1",
    };
    const server = await startHooklineProcess({ env, args: ["--dev"] });
    upstream = server.url;
    key = await createKeyWithCli(env, "listen");
    client = new HooklineClient({ baseUrl: server.url, apiKey: key.apiKey });
    forwardTarget = await startReceiver((_req, res) => res.end("forwarded ok"));
  });
  // Each test's listeners end with it.
  afterEach(async () => {
    await Promise.all(listens.splice(0).map((l) => stopChild(l.child)));
  });
  afterAll(async () => {
    await killAllChildren();
    proxy?.closeAllConnections();
    await new Promise((r) => proxy?.close(r));
    await forwardTarget?.close();
    await dir?.cleanup();
  });

  async function convertTo(url: string): Promise<string> {
    const up = await client.uploads.stream({ path: mp3 }, { uploadPath: "listen" });
    return (await client.wav.generate({ audioId: up.audioId!, callBackUrl: url })).taskId;
  }

  it("prints, verifies, forwards and saves a real callback; a redelivery is a duplicate; a forged one gets 401", async () => {
    const save = join(dir.path, "saved");
    const l = await startListen([
      "--save",
      save,
      "--secret",
      key.webhookHmacKey,
      "--forward-to",
      `${forwardTarget.origin}/app`,
    ]);
    listens.push(l);
    expect(l.started).toMatchObject({ verifying: true, resumed: 0 });
    const taskId = await convertTo(l.url);
    const cb = await waitFor(
      "the callback",
      () => l.events.find((e) => e.event === "callback" && e.taskId === taskId),
      { timeoutMs: 30_000 },
    );
    expect(cb).toMatchObject({
      family: "wav",
      code: 200,
      verification: "verified",
      schemes: ["standard", "reseller"],
      saved: "new",
      status: 200,
    });
    expect(cb.messageId).toMatch(/^msg_/);
    // Whole seconds (the signing timestamp has 1 s resolution): about none on loopback.
    expect(cb.signedAgoS).toBeGreaterThanOrEqual(0);
    expect(cb.signedAgoS).toBeLessThan(5);
    expect(cb).not.toHaveProperty("latencyMs");
    const done = await waitFor(
      "the download",
      () => l.events.find((e) => e.event === "download" && e.taskId === taskId),
      { timeoutMs: 30_000 },
    );
    expect(done).toMatchObject({ state: "done", attempts: 1 });
    expect(readFileSync(join(save, done.path)).toString("ascii", 0, 4)).toBe("RIFF");
    const forwarded = await waitFor(
      "the forward",
      () => forwardTarget.requests.find((r) => r.body.includes(taskId)),
      { timeoutMs: 30_000 },
    );
    expect(forwarded.headers["webhook-id"]).toBe(cb.messageId);
    expect(forwarded.url).toBe("/app");

    await client.tasks.redeliver(taskId);
    const again = await waitFor(
      "the redelivery",
      () => l.events.filter((e) => e.event === "callback" && e.taskId === taskId)[1],
      { timeoutMs: 30_000 },
    );
    expect(again).toMatchObject({ saved: "duplicate_message", status: 200, messageId: cb.messageId });
    await new Promise((r) => setTimeout(r, 300));
    expect(l.events.filter((e) => e.event === "download" && e.taskId === taskId)).toHaveLength(1);
    const index = JSON.parse(readFileSync(join(save, "hookline-index.json"), "utf8"));
    expect(index.tasks[taskId]).toMatchObject({
      family: "wav",
      deliveries: 2,
      messages: [cb.messageId],
      files: [{ state: "done" }],
    });

    const ts = Math.floor(Date.now() / 1000);
    const forged = await fetch(l.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-webhook-timestamp": String(ts),
        "x-webhook-signature": createHmac("sha256", "whsec_wrong").update(`${taskId}.${ts}`).digest("base64"),
      },
      body: JSON.stringify({
        code: 200,
        msg: "success",
        data: { task_id: taskId, audioWavUrl: "http://x/y.wav" },
      }),
    });
    expect(forged.status).toBe(401);
    // It says why, as the SDK's receivers do.
    expect(await forged.json()).toMatchObject({
      ok: false,
      error: "signature_mismatch",
      message: expect.any(String),
    });
    const refused = await waitFor(
      "the forged line",
      () => l.events.find((e) => e.verification === "signature_mismatch"),
      { timeoutMs: 30_000 },
    );
    expect(refused).toMatchObject({ taskId, status: 401, saved: null });
  });

  it("--save: a download that fails is resumed by a restart and then completes", async () => {
    const save = join(dir.path, "resume");
    proxyOpen = false;
    const first = await startListen(["--save", save, "--secret", key.webhookHmacKey]);
    listens.push(first);
    const taskId = await convertTo(first.url);
    const failed = await waitFor(
      "a failed download",
      () => first.events.find((e) => e.event === "download" && e.taskId === taskId),
      { timeoutMs: 30_000 },
    );
    expect(failed).toMatchObject({ state: "pending", attempts: 1 });
    expect(failed.retryInMs).toBeGreaterThan(0);
    expect(failed.error).toMatch(/503/);
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    const index = JSON.parse(readFileSync(join(save, "hookline-index.json"), "utf8"));
    expect(index.tasks[taskId].files[0]).toMatchObject({ state: "pending", attempts: 1 });

    proxyOpen = true;
    const second = await startListen(["--save", save, "--secret", key.webhookHmacKey]);
    listens.push(second);
    expect(second.started).toMatchObject({ resumed: 1 });
    const done = await waitFor(
      "the resumed download",
      () => second.events.find((e) => e.event === "download" && e.taskId === taskId),
      { timeoutMs: 30_000 },
    );
    expect(done).toMatchObject({ state: "done", attempts: 2 });
    expect(existsSync(join(save, done.path))).toBe(true);
    expect(second.events.filter((e) => e.event === "callback")).toHaveLength(0);
  });

  it("without --save passes the forward target's answer back, so the server's retries reach the app", async () => {
    const failing = await startReceiver((_req, res) => res.writeHead(503).end("app is down"));
    try {
      const l = await startListen(["--forward-to", `${failing.origin}/app`]);
      listens.push(l);
      expect(l.started).toMatchObject({ verifying: false });
      const taskId = await convertTo(l.url);
      const cb = await waitFor(
        "the callback",
        () => l.events.find((e) => e.event === "callback" && e.taskId === taskId),
        { timeoutMs: 30_000 },
      );
      expect(cb).toMatchObject({ verification: "unverified", status: 503, forward: { status: 503 } });
      const log = await waitFor(
        "the attempt",
        async () => (await client.tasks.deliveries(taskId)).attempts[0],
        { timeoutMs: 30_000 },
      );
      expect(log.statusCode).toBe(503);
      expect(failing.requests).toHaveLength(1);
    } finally {
      await failing.close();
    }
  });

  it("--save downloads both cover images of a cover callback", async () => {
    const save = join(dir.path, "covers");
    const l = await startListen(["--save", save, "--secret", key.webhookHmacKey]);
    listens.push(l);
    const up = await client.uploads.stream({ path: mp3 }, { uploadPath: "listen" });
    const { taskId } = await client.cover.generate({ taskId: up.taskId!, callBackUrl: l.url });
    const cb = await waitFor(
      "the cover callback",
      () => l.events.find((e) => e.event === "callback" && e.taskId === taskId),
      { timeoutMs: 30_000 },
    );
    expect(cb).toMatchObject({ family: "cover", code: 200, verification: "verified", saved: "new" });
    const done = await waitFor(
      "both images",
      () => {
        const d = l.events.filter((e) => e.event === "download" && e.taskId === taskId && e.state === "done");
        return d.length === 2 ? d : undefined;
      },
      { timeoutMs: 30_000 },
    );
    for (const d of done) expect(readFileSync(join(save, d.path)).subarray(1, 4).toString()).toBe("PNG");
  });
});
