/**
 * `hookline tasks …` talks to a running server through HOOKLINE_URL and HOOKLINE_API_KEY (spec 13): the task
 * list, a task's callback attempts, a redelivery with the same message id, and deletion.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { childEnv } from "../helpers/process.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { settledWav, uploadTrack } from "../http/support.js";
import { MAIN, requireBuild, runCli } from "./run.js";

describe("hookline tasks", () => {
  let h: TestHookline;
  let receiver: Receiver;
  let dir: TmpDir;
  let env: Record<string, string>;
  let taskId: string;

  beforeAll(async () => {
    requireBuild();
    h = await startTestHookline();
    receiver = await startReceiver((_req, res) => res.end("ok"));
    dir = await tmpDir("cli-tasks");
    env = { HOOKLINE_URL: h.url, HOOKLINE_API_KEY: h.apiKey };
    const track = await uploadTrack(h, await makeAudio(dir.path, { format: "mp3", seconds: 1 }));
    const gen = await h.call("/api/v1/wav/generate", {
      json: { audioId: track.audioId, callBackUrl: `${receiver.origin}/cb` },
    });
    taskId = gen.data.taskId;
    await settledWav(h, taskId);
    await waitFor("the callback delivered", async () => {
      const log = await h.call(`/api/v1/hookline/tasks/${taskId}/deliveries`);
      return log.data.messages[0]?.state === "delivered";
    });
  });
  afterAll(async () => {
    await receiver.close();
    await h.stop();
    await dir.cleanup();
  });

  it("lists the key's tasks and shows a task's delivery log", async () => {
    const ls = await runCli(["tasks", "ls", "--family", "wav"], env);
    expect(ls.code).toBe(0);
    expect(JSON.parse(ls.stdout).tasks.map((t: { taskId: string }) => t.taskId)).toContain(taskId);
    const log = await runCli(["tasks", "deliveries", taskId], env);
    expect(log.code).toBe(0);
    expect(JSON.parse(log.stdout).attempts[0]).toMatchObject({ statusCode: 200, outcome: "delivered" });
  });

  it("narrows the list by callback state and by text (issue 13)", async () => {
    const ids = async (args: string[]) => {
      const r = await runCli(["tasks", "ls", ...args, "--json"], env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim().split("\n")).toHaveLength(1);
      return JSON.parse(r.stdout).tasks.map((t: { taskId: string }) => t.taskId);
    };
    expect(await ids(["--callback", "delivered"])).toContain(taskId);
    expect(await ids(["--callback", "failed"])).not.toContain(taskId);
    expect(await ids(["--q", taskId])).toEqual([taskId]);
    const wrong = await runCli(["tasks", "ls", "--callback", "maybe"], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--callback must be one of: none, pending, retrying, delivered, failed/);
  });

  it("shows the server's refusal of an unknown family and exits non-zero", async () => {
    const r = await runCli(["tasks", "ls", "--family", "nope"], env);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/400/);
    expect(r.stderr).toMatch(/wav/);
  });

  it.skipIf(!existsSync("/usr/bin/script"))("prints a table on a terminal", async () => {
    // `script` runs the command on a pseudo-terminal, so stdout is a TTY as in a person's shell.
    const { stdout } = await promisify(execFile)(
      "script",
      ["-qefc", `${process.execPath} ${MAIN} tasks ls --family wav`, "/dev/null"],
      { env: childEnv(env) },
    );
    const lines = stdout.replaceAll("\r", "").trim().split("\n");
    expect(lines[0]).toMatch(/^TASK ID\s+FAMILY\s+STATUS\s+CALLBACK\s+CREATED$/);
    const row = lines.find((l) => l.startsWith(taskId));
    expect(row).toMatch(new RegExp(`^${taskId}\\s+wav\\s+SUCCESS\\s+delivered\\s+\\S`));
  });

  it("names the real path of a failed request, not its template", async () => {
    const unknown = "0".repeat(32);
    const r = await runCli(["redeliver", unknown], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`/tasks/${unknown}/redeliver: 404`);
    expect(r.stderr).not.toContain("{taskId}");
  });

  it("redelivers with the same message id, then deletes the task", async () => {
    const first = receiver.requests.length;
    const r = await runCli(["tasks", "redeliver", taskId], env);
    expect(r.code).toBe(0);
    const { messageId } = JSON.parse(r.stdout);
    await waitFor("the redelivered callback", () => receiver.requests.length > first);
    expect(receiver.requests.at(-1)?.headers["webhook-id"]).toBe(messageId);
    expect((await runCli(["tasks", "rm", taskId], env)).code).toBe(0);
    const gone = await runCli(["tasks", "show", taskId], env);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/404/);
  });

  it("says what is missing without a key or a server", async () => {
    const noKey = await runCli(["tasks", "ls"], { HOOKLINE_URL: h.url });
    expect(noKey.stderr).toMatch(/HOOKLINE_API_KEY/);
    const noServer = await runCli(["tasks", "ls"], {
      HOOKLINE_URL: "http://127.0.0.1:9",
      HOOKLINE_API_KEY: "x",
    });
    expect(noServer.stderr).toMatch(/cannot reach/);
  });
});
