/**
 * Each receiver in `examples/` (built to dist/examples by `npm run build`) runs as its own process and gets a real,
 * signed WAV callback from a real Hookline: it verifies and prints it once, answers a redelivery of the same message
 * as a duplicate without processing it again, and refuses forged and stale callbacks.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HooklineClient } from "../../src/client/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { stopChild } from "../helpers/process.js";
import { waitFor } from "../helpers/wait.js";

const EXAMPLES = [
  { name: "node-http", path: "/anything" },
  { name: "express", path: "/hookline" },
  { name: "fastify", path: "/hookline" },
  { name: "fetch", path: "/hook" },
] as const;

interface Running {
  child: ChildProcess;
  url: string;
  lines: Record<string, unknown>[];
}

async function startExample(name: string, path: string, env: Record<string, string>): Promise<Running> {
  const file = resolve(import.meta.dirname, `../../dist/examples/${name}.js`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\``);
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  let errors = "";
  child.stderr?.on("data", (c: Buffer) => {
    errors += c.toString();
  });
  const port = await new Promise<number>((res, rej) => {
    let buffer = "";
    child.stdout?.on("data", (c: Buffer) => {
      buffer += c.toString();
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        const line = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
        buffer = buffer.slice(nl + 1);
        if (typeof line.listening === "number") res(line.listening);
        else lines.push(line);
        nl = buffer.indexOf("\n");
      }
    });
    child.once("exit", (code) => rej(new Error(`${name} exited ${code}: ${errors}`)));
  });
  return { child, url: `http://127.0.0.1:${port}${path}`, lines };
}

describe("examples/: minimal receivers against a real server", () => {
  let h: TestHookline;
  let dir: TmpDir;
  let client: HooklineClient;
  let mp3: string;
  const running: Running[] = [];

  beforeAll(async () => {
    h = await startTestHookline();
    dir = await tmpDir("examples");
    mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
    client = new HooklineClient({ baseUrl: h.url, apiKey: h.apiKey });
  });
  // Each test's example ends with it.
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => stopChild(r.child)));
  });
  afterAll(async () => {
    await h.stop();
    await dir.cleanup();
  });

  for (const example of EXAMPLES) {
    it(`${example.name}: receives, verifies and prints a real WAV callback once; refuses forged and stale ones`, async () => {
      const ex = await startExample(example.name, example.path, {
        HOOKLINE_WEBHOOK_KEY: h.webhookKey,
        PORT: "0",
      });
      running.push(ex);
      const up = await client.uploads.stream({ path: mp3 }, { uploadPath: "examples" });
      const { taskId } = await client.wav.generate({ audioId: up.audioId!, callBackUrl: ex.url });
      const line = await waitFor("the callback", () => ex.lines.find((l) => l.taskId === taskId), {
        timeoutMs: 20_000,
      });
      expect(line).toMatchObject({
        family: "wav",
        code: 200,
        succeeded: true,
        schemes: ["standard", "reseller"],
      });
      expect(line.messageId).toMatch(/^msg_/);

      // A redelivery is the same message: answered 2xx, not processed again.
      await client.tasks.redeliver(taskId);
      const log = await waitFor(
        "the redelivery",
        async () => {
          const d = await client.tasks.deliveries(taskId);
          return d.attempts.length >= 2 ? d : undefined;
        },
        { timeoutMs: 20_000 },
      );
      expect(log.attempts.map((a) => a.statusCode)).toEqual([200, 200]);
      expect(log.attempts[1]?.responseExcerpt).toContain('"duplicate":true');
      expect(ex.lines.filter((l) => l.taskId === taskId)).toHaveLength(1);

      // Forged (another key) and stale (signed 10 minutes ago) callbacks are refused.
      const body = JSON.stringify({
        code: 200,
        msg: "success",
        taskId,
        data: { task_id: taskId, audioWavUrl: "x" },
      });
      const sign = (key: string, ts: number) => ({
        "content-type": "application/json",
        "webhook-id": "msg_forged",
        "webhook-timestamp": String(ts),
        "webhook-signature": new Webhook(key).sign("msg_forged", new Date(ts * 1000), body),
        "x-webhook-timestamp": String(ts),
        "x-webhook-signature": createHmac("sha256", key).update(`${taskId}.${ts}`).digest("base64"),
      });
      const now = Math.floor(Date.now() / 1000);
      const forged = await fetch(ex.url, {
        method: "POST",
        body,
        headers: sign("whsec_Zm9yZ2VkLWtleS0xMjM0NTY3ODkwMTIzNDU2Nzg=", now),
      });
      expect(forged.status).toBe(401);
      expect(await forged.json()).toMatchObject({ ok: false, error: "signature_mismatch" });
      const stale = await fetch(ex.url, { method: "POST", body, headers: sign(h.webhookKey, now - 600) });
      expect(stale.status).toBe(401);
      expect(await stale.json()).toMatchObject({ error: "timestamp_out_of_tolerance" });
      expect(ex.lines.filter((l) => l.taskId === taskId)).toHaveLength(1);
    });
  }
});
