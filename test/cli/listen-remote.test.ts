/**
 * `hookline listen --remote --forward-to URL` as a child process (the built CLI) against a real server: a task's
 * callback reaches a loopback "local app" with the exact body the real delivery carried and headers the
 * `standardwebhooks` package verifies with the key's webhook key; the listen line names the family, task and the
 * app's status; the delivery log shows the `stream` attempt with its target beside the untouched real delivery;
 * another key's listen forwards nothing of it; a dropped stream is opened again, with backoff while the server
 * refuses it, and forwards what was enqueued meanwhile (Last-Event-ID); a revoked key ends the listening (exit 1).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { revokeKey } from "../../src/keys/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { CLI_PATH, childEnv, stopChild } from "../helpers/process.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { uploadTrack } from "../http/support.js";
import { requireBuild } from "./run.js";

type Event = Record<string, any>;

interface Remote {
  child: ChildProcess;
  events: Event[];
  exit: Promise<number | null>;
}

/** Starts `listen --remote --json` for a key and waits for its stream to be open. */
async function startRemote(url: string, apiKey: string, forwardTo: string): Promise<Remote> {
  const child = spawn(
    process.execPath,
    [CLI_PATH, "listen", "--remote", "--json", "--forward-to", forwardTo],
    {
      env: childEnv({ HOOKLINE_URL: url, HOOKLINE_API_KEY: apiKey }),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const events: Event[] = [];
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  let buffer = "";
  child.stdout?.on("data", (c: Buffer) => {
    buffer += c.toString();
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      events.push(JSON.parse(buffer.slice(0, nl)) as Event);
      buffer = buffer.slice(nl + 1);
    }
  });
  const exit = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  await waitFor("listen --remote to connect", () => events.some((e) => e.event === "connected"), {
    state: () => ({ events, stderr, exitCode: child.exitCode }),
  });
  return { child, events, exit };
}

describe("hookline listen --remote", () => {
  let h: TestHookline;
  let dir: TmpDir;
  let mp3: string;
  let receiver: Receiver;
  let laptop: Receiver;
  const remotes: Remote[] = [];

  /** A WAV task that fails at once (simulation) with a callback to the receiver; answers its task id. */
  const failingTask = async (key = h.apiKey) => {
    const track = await uploadTrack(h, mp3, key);
    const gen = await h.call("/api/v1/wav/generate", {
      json: { audioId: track.audioId, callBackUrl: `${receiver.origin}/cb` },
      headers: { "hookline-simulate": "fail=501" },
      key,
    });
    expect(gen.code, JSON.stringify(gen)).toBe(200);
    return gen.data.taskId as string;
  };
  const of = (r: Receiver, taskId: string) =>
    r.requests.filter((q) => (JSON.parse(q.body) as { data: { task_id: string } }).data.task_id === taskId);

  beforeAll(async () => {
    requireBuild();
    h = await startTestHookline();
    dir = await tmpDir("listen-remote");
    mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
    receiver = await startReceiver((_req, res) => res.end("ok"));
    laptop = await startReceiver((_req, res) => {
      res.writeHead(202, { "content-type": "text/plain" });
      res.end("laptop got it");
    });
  });
  afterEach(async () => {
    for (const r of remotes.splice(0)) await stopChild(r.child, "SIGTERM");
  });
  afterAll(async () => {
    await laptop.close();
    await receiver.close();
    await h.stop();
    await dir.cleanup();
  });

  it("forwards the exact signed callback to the local app and logs it as a stream attempt", async () => {
    const other = await h.newKey("other");
    const otherLaptop = await startReceiver((_req, res) => res.end());
    try {
      const mine = await startRemote(h.url, h.apiKey, `${laptop.origin}/hook`);
      const theirs = await startRemote(h.url, other.apiKey, `${otherLaptop.origin}/hook`);
      remotes.push(mine, theirs);
      const taskId = await failingTask();
      await waitFor("the forwarded callback", () => of(laptop, taskId).length === 1);
      await waitFor("the real delivery", () => of(receiver, taskId).length === 1);
      const [got] = of(laptop, taskId);
      const [real] = of(receiver, taskId);
      expect(got!.url).toBe("/hook");
      expect(got!.body).toBe(real!.body);
      expect(got!.headers["content-type"]).toBe("application/json");
      expect(got!.headers["webhook-id"]).toBe(real!.headers["webhook-id"]);
      const verified = new Webhook(h.webhookKey).verify(got!.body, {
        "webhook-id": String(got!.headers["webhook-id"]),
        "webhook-timestamp": String(got!.headers["webhook-timestamp"]),
        "webhook-signature": String(got!.headers["webhook-signature"]),
      });
      expect(verified).toMatchObject({ code: 501, data: { task_id: taskId } });

      const line = await waitFor("the listen line", () =>
        mine.events.find((e) => e.event === "callback" && e.taskId === taskId),
      );
      expect(line).toMatchObject({
        family: "wav",
        code: 501,
        status: 202,
        logged: true,
        callbackEvent: "wav.failed",
      });
      expect(line.ms).toBeTypeOf("number");

      const log = await h.call(`/api/v1/hookline/tasks/${taskId}/deliveries`);
      expect(log.data.messages).toEqual([expect.objectContaining({ state: "delivered", attempts: 1 })]);
      const stream = (log.data.attempts as Event[]).filter((a) => a.trigger === "stream");
      expect(stream).toEqual([
        expect.objectContaining({
          statusCode: 202,
          outcome: "delivered",
          target: `${laptop.origin}/hook`,
          responseExcerpt: "laptop got it",
          signatures: { standardWebhooks: 1, reseller: true },
        }),
      ]);
      // One more look's time for the other key's listen: it forwarded nothing of this key.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(otherLaptop.requests).toEqual([]);
      expect(theirs.events.filter((e) => e.event === "callback")).toEqual([]);
    } finally {
      await otherLaptop.close();
    }
  }, 60_000);

  it("opens a dropped stream again and forwards what was enqueued while it was down", async () => {
    // Between listen and the server: can drop the stream and refuse it (503) until the test lets it through.
    let streamAllowed = true;
    const gate = createServer((req, res) => {
      if (
        !streamAllowed &&
        req.method === "GET" &&
        req.url?.startsWith("/api/v1/hookline/callbacks/stream")
      ) {
        res.writeHead(503, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: 503, msg: "stream held back by the test", data: null }));
        return;
      }
      const up = request(
        new URL(req.url ?? "/", h.url),
        { method: req.method, headers: req.headers },
        (a) => {
          res.writeHead(a.statusCode ?? 502, a.headers);
          a.pipe(res);
        },
      );
      up.on("error", () => res.destroy());
      res.on("close", () => up.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => gate.listen(0, "127.0.0.1", r));
    const origin = `http://127.0.0.1:${(gate.address() as AddressInfo).port}`;
    try {
      const mine = await startRemote(origin, h.apiKey, `${laptop.origin}/hook`);
      remotes.push(mine);
      streamAllowed = false;
      gate.closeAllConnections();
      await waitFor("the drop to be noticed", () => mine.events.some((e) => e.event === "disconnected"));
      const taskId = await failingTask();
      await waitFor("the real delivery", () => of(receiver, taskId).length === 1);
      await waitFor("a refused reconnection", () =>
        mine.events.some((e) => e.event === "disconnected" && /^503 /.test(e.reason)),
      );
      expect(of(laptop, taskId)).toEqual([]);
      streamAllowed = true;
      const back = await waitFor(
        "the reconnection",
        () => mine.events.find((e) => e.event === "reconnected"),
        {
          timeoutMs: 40_000,
        },
      );
      expect(back.resumed).toBe(true);
      await waitFor("the callback enqueued meanwhile", () => of(laptop, taskId).length === 1);
      expect(of(laptop, taskId)[0]!.body).toBe(of(receiver, taskId)[0]!.body);
      await waitFor("its line", () => mine.events.some((e) => e.event === "callback" && e.taskId === taskId));
      expect(mine.events.filter((e) => e.event === "callback" && e.taskId === taskId)).toHaveLength(1);
    } finally {
      gate.closeAllConnections();
      await new Promise((r) => gate.close(r));
    }
  }, 90_000);

  it("ends with exit code 1 when the key is revoked", async () => {
    const doomed = await h.newKey("doomed");
    const r = await startRemote(h.url, doomed.apiKey, `${laptop.origin}/hook`);
    remotes.push(r);
    const { store, clock } = h.running.services;
    await revokeKey(store, clock, { id: doomed.keyId });
    expect(await r.exit).toBe(1);
    expect(r.events.at(-1)).toMatchObject({ event: "ended" });
  }, 30_000);
});
