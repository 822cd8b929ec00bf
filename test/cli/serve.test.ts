/**
 * `hookline serve` as a real process (spec 13): `--help` documents every setting, a missing ffmpeg stops it with
 * install instructions, the banner points to `keys create` and `--dev`, and a key made by the CLI next to it
 * works at once.
 */
import { describe, expect, it } from "vitest";
import { OPTIONS } from "../../src/config/index.js";
import { tmpDir } from "../helpers/audio.js";
import { startHooklineProcess } from "../helpers/process.js";
import { waitFor } from "../helpers/wait.js";
import { requireBuild, runCli, startServe } from "./run.js";

describe("hookline serve", () => {
  it("--help lists every HOOKLINE_ variable and flag", async () => {
    requireBuild();
    const r = await runCli(["serve", "--help"], {});
    expect(r.code).toBe(0);
    for (const spec of Object.values(OPTIONS)) {
      expect(r.stdout).toContain(spec.env);
      expect(r.stdout).toContain(`--${spec.flag}`);
    }
  });

  it("refuses to start without ffmpeg, saying how to install it", async () => {
    const dir = await tmpDir("cli-noff");
    try {
      const r = await runCli(["serve"], {
        HOOKLINE_DATA_DIR: dir.path,
        HOOKLINE_FFMPEG: "/nonexistent/ffmpeg",
      });
      expect(r.code).not.toBe(0);
      expect(r.code).not.toBeNull();
      expect(r.stderr).toMatch(/ffmpeg/);
      expect(r.stderr).toMatch(/apt-get install -y ffmpeg/);
      expect(r.stderr).toMatch(/brew install ffmpeg/);
      expect(r.stdout).not.toMatch(/running at/);
    } finally {
      await dir.cleanup();
    }
  });

  it("a bad setting stops it with the variable's name", async () => {
    const r = await runCli(["serve"], { HOOKLINE_PORT: "eighty" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("HOOKLINE_PORT");
  });

  it("serves; the banner mentions `keys create` and `--dev`; a key created next to it works at once", async () => {
    const dir = await tmpDir("cli-serve");
    const env = { HOOKLINE_DATA_DIR: dir.path, HOOKLINE_PORT: "0", HOOKLINE_LOG_LEVEL: "warn" };
    const served = await startServe([], env);
    try {
      await until(() => served.stdout().includes("--dev"));
      const banner = served.stdout();
      expect(banner).toContain("keys create");
      expect(banner).toContain("--dev");
      expect(banner).not.toMatch(/DEVELOPMENT MODE/);
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${served.url}/healthz`)).status).toBe(200);

      const made = await runCli(["keys", "create", "--name", "next-to-server", "--json"], env);
      expect(made.code, made.stderr).toBe(0);
      expect(made.stdout.trim().split("\n")).toHaveLength(1);
      const { apiKey } = JSON.parse(made.stdout) as { apiKey: string };
      const res = await fetch(`${served.url}/api/v1/generate/credit`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      expect(await res.json()).toMatchObject({ code: 200, data: 999_999_999 });
    } finally {
      expect(await served.stop()).toBe(0);
      await dir.cleanup();
    }
  });

  it("a second serve on a taken port says so in a sentence, not a stack, and exits 1; keys create --env loads in a shell", async () => {
    const dir = await tmpDir("cli-serve-taken");
    const env = { HOOKLINE_DATA_DIR: dir.path, HOOKLINE_PORT: "0", HOOKLINE_LOG_LEVEL: "warn" };
    const served = await startServe([], env);
    try {
      const port = new URL(served.url).port;
      const second = await runCli(["serve"], { ...env, HOOKLINE_PORT: port });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(second.stderr).toContain("--port N");
      expect(second.stderr).not.toMatch(/\n\s+at /);

      const made = await runCli(["keys", "create", "--name", "shell", "--env"], env);
      expect(made.code, made.stderr).toBe(0);
      const lines = made.stdout.trim().split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^HOOKLINE_API_KEY=hk_[A-Za-z0-9]+$/);
      expect(lines[1]).toMatch(/^HOOKLINE_WEBHOOK_KEY=whsec_[A-Za-z0-9+/=]+$/);
      const apiKey = lines[0]?.slice("HOOKLINE_API_KEY=".length) ?? "";
      const res = await fetch(`${served.url}/api/v1/generate/credit`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      expect(res.status).toBe(200);
    } finally {
      expect(await served.stop()).toBe(0);
      await dir.cleanup();
    }
  });

  it("on --port 0, the banner and every link name the port really bound (issue 9, finding 9)", async () => {
    const dir = await tmpDir("cli-port0");
    const env = { HOOKLINE_DATA_DIR: dir.path, HOOKLINE_LOG_LEVEL: "warn" };
    const served = await startServe(["--port", "0"], env);
    try {
      await until(() => served.stdout().includes("--dev"));
      const port = new URL(served.url).port;
      expect(served.stdout()).toContain(`(public URL for links: http://localhost:${port})`);
      const made = await runCli(["keys", "create", "--name", "port0", "--json"], env);
      const { apiKey } = JSON.parse(made.stdout) as { apiKey: string };
      const form = new FormData();
      form.set("uploadPath", "notes");
      form.set("file", new Blob(["hello"]), "hello.txt");
      const res = await fetch(`${served.url}/api/file-stream-upload`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}` },
        body: form,
      });
      const up = (await res.json()) as { data: { downloadUrl: string } };
      expect(up.data.downloadUrl.startsWith(`http://localhost:${port}/files/`)).toBe(true);
      expect(await (await fetch(up.data.downloadUrl)).text()).toBe("hello");
    } finally {
      expect(await served.stop()).toBe(0);
      await dir.cleanup();
    }
  });

  it("--dev says so loudly in the banner", async () => {
    const dir = await tmpDir("cli-dev");
    const served = await startServe(["--dev"], { HOOKLINE_DATA_DIR: dir.path, HOOKLINE_PORT: "0" });
    try {
      await until(() => served.stdout().includes("DEVELOPMENT MODE"));
      expect(served.stdout()).toMatch(/--dev/);
      expect(served.stdout()).toContain("keys create");
    } finally {
      expect(await served.stop()).toBe(0);
      await dir.cleanup();
    }
  });
});

const until = (check: () => boolean) => waitFor("the banner", check, { timeoutMs: 5_000 });

describe("hookline worker", () => {
  it("says at start when it has no public URL for the links its callbacks carry, and not when it has one", async () => {
    const dir = await tmpDir("cli-worker");
    try {
      const env = { HOOKLINE_DATA_DIR: `${dir.path}/data`, HOOKLINE_LOG_LEVEL: "warn" };
      const bare = await startHooklineProcess({ command: "worker", env });
      await waitFor("the worker's warning", () => bare.output().includes("HOOKLINE_PUBLIC_URL is not set"), {
        state: () => bare.output(),
      });
      expect(bare.output()).toContain("point at http://localhost:3000");
      await bare.stop("SIGTERM");
      const named = await startHooklineProcess({
        command: "worker",
        env: { ...env, HOOKLINE_PUBLIC_URL: "https://hooks.example.com" },
      });
      // Stopped first, so that everything it wrote at start has arrived.
      await named.stop("SIGTERM");
      expect(named.output()).toContain("Hookline worker running");
      expect(named.output()).not.toContain("HOOKLINE_PUBLIC_URL is not set");
    } finally {
      await dir.cleanup();
    }
  });
});
