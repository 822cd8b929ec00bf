/**
 * `hookline convert`, `hookline cover` and `hookline redeliver` against a real server, through the SDK: quiet,
 * machine-readable output with `--json` (no spinner off a TTY), the file written where asked.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { childEnv } from "../helpers/process.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { MAIN, requireBuild, runCli } from "./run.js";

let h: TestHookline;
let dir: TmpDir;
let mp3: string;
let env: Record<string, string>;

beforeAll(async () => {
  requireBuild();
  h = await startTestHookline();
  dir = await tmpDir("cli-convert");
  mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
  env = { HOOKLINE_URL: h.url, HOOKLINE_API_KEY: h.apiKey };
});
afterAll(async () => {
  await h?.stop();
  await dir?.cleanup();
});

describe("hookline convert", () => {
  it("uploads, converts, waits and downloads; --json prints one line and nothing on stderr", async () => {
    const out = join(dir.path, "song.wav");
    const r = await runCli(["convert", mp3, "--out", out, "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!);
    expect(result).toMatchObject({ file: out, taskId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(result.bytes).toBeGreaterThan(44);
    expect(readFileSync(out).toString("ascii", 0, 4)).toBe("RIFF");
  });

  it("without --json prints the path; flags beat the environment; bad input says why", async () => {
    const out = join(dir.path, "flagged.wav");
    const r = await runCli(["convert", mp3, "--out", out, "--url", h.url, "--api-key", h.apiKey], {});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(out);
    const text = join(dir.path, "notes.txt");
    writeFileSync(text, "not audio at all\n");
    const bad = await runCli(["convert", text], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not audio/);
    const missing = await runCli(["convert", join(dir.path, "nope.mp3")], env);
    expect(missing.stderr).toMatch(/no such file/);
  });
});

describe("hookline convert --out DIR", () => {
  it("writes DIR/<name>.wav into an existing folder or a path ending in a slash (issue 13)", async () => {
    const existing = join(dir.path, "existing");
    mkdirSync(existing);
    const r = await runCli(["convert", mp3, "--out", existing], env);
    expect(r.code, r.stderr).toBe(0);
    const expected = join(existing, `${basename(mp3, extname(mp3))}.wav`);
    expect(r.stdout.trim()).toBe(expected);
    expect(readFileSync(expected).toString("ascii", 0, 4)).toBe("RIFF");
    const fresh = join(dir.path, "fresh");
    const s = await runCli(["convert", mp3, "--out", `${fresh}/`, "--json"], env);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).file).toBe(join(fresh, `${basename(mp3, extname(mp3))}.wav`));
  });
});

describe("hookline convert on a terminal", () => {
  it.skipIf(!existsSync("/usr/bin/script"))(
    "shows a spinner with the task's status while it waits",
    async () => {
      const out = join(dir.path, "tty.wav");
      // `script` runs the command on a pseudo-terminal, so stderr is a TTY as in a person's shell.
      const { stdout } = await promisify(execFile)(
        "script",
        ["-qefc", `${process.execPath} ${MAIN} convert ${mp3} --out ${out}`, "/dev/null"],
        { env: childEnv(env) },
      );
      expect(stdout).toContain("\r\u001b[K");
      expect(stdout).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] uploading/);
      expect(stdout).toMatch(/WAV task [0-9a-f]{32}: (PENDING|SUCCESS)/);
      expect(stdout.trim().endsWith(out)).toBe(true);
    },
  );
});

describe("hookline redeliver", () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver((_req, res) => res.end("ok"));
  });
  afterAll(() => receiver.close());

  it("is an alias of tasks redeliver: the callback comes again with the same message id", async () => {
    const gen = await runCli(
      ["convert", mp3, "--out", join(dir.path, "r.wav"), "--callback-url", `${receiver.origin}/cb`, "--json"],
      env,
    );
    const id = JSON.parse(gen.stdout).taskId as string;
    await waitFor("the callback", () => receiver.requests.length > 0);
    const r = await runCli(["redeliver", id, "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    const { messageId } = JSON.parse(r.stdout);
    await waitFor("the redelivered callback", () => receiver.requests.length >= 2);
    expect(receiver.requests.map((q) => q.headers["webhook-id"])).toEqual([messageId, messageId]);
    const shown = await runCli(["tasks", "show", id, "--json"], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ taskId: id, status: "SUCCESS" });
  });
});

describe("hookline cover", () => {
  it("makes the two cover images of an uploaded file and downloads them", async () => {
    // A trailing slash names the folder as --out DIR/ does for convert (issue 13).
    const out = join(dir.path, "covers/");
    const r = await runCli(["cover", mp3, "--out", out, "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim());
    expect(result.files).toHaveLength(2);
    for (const file of result.files as string[])
      expect(readFileSync(file).subarray(1, 4).toString()).toBe("PNG");
    // By music task id, a repeat answers the same cover task.
    const again = await runCli(["cover", result.musicTaskId, "--out", out, "--json"], env);
    expect(JSON.parse(again.stdout.trim()).taskId).toBe(result.taskId);
  });
});
