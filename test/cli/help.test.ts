/**
 * Each command's help names its settings from the options tables (issue 10): the client commands list `--url`
 * and `--api-key` with their variables and defaults, and the other helps name the variables they mention.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLIENT_OPTIONS, OPTIONS, optionLine } from "../../src/config/index.js";
import { requireBuild, runCli } from "./run.js";

describe("CLI help", () => {
  it.each(["tasks", "convert", "cover"])(
    "%s --help lists the connection settings of the table",
    async (cmd) => {
      requireBuild();
      const r = await runCli([cmd, "--help"], {});
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(optionLine(CLIENT_OPTIONS.url));
      expect(r.stdout).toContain(optionLine(CLIENT_OPTIONS.apiKey));
    },
  );

  it("the others name the variables they mention from the tables", async () => {
    const main = await runCli(["--help"], {});
    expect(main.stdout).toContain(`(${CLIENT_OPTIONS.url.env}, ${CLIENT_OPTIONS.apiKey.env})`);
    const keys = await runCli(["keys", "--help"], {});
    expect(keys.stdout).toContain(OPTIONS.rateLimit.env);
    expect(keys.stdout).toContain(OPTIONS.databaseUrl.env);
    const listen = await runCli(["listen", "--help"], {});
    expect(listen.stdout).toContain(`${CLIENT_OPTIONS.webhookKeys.env}=k1,k2`);
  });

  it.each(["--version", "-v"])("%s prints the package's version (issue 13)", async (flag) => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    const r = await runCli([flag], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });

  it("the top-level help names every command and subcommand (issue 13)", async () => {
    const r = await runCli(["--help"], {});
    expect(r.code).toBe(0);
    for (const name of [
      "keys create",
      "keys credits",
      "keys simulate",
      "keys rate-limit",
      "console-link",
      "tasks ls",
      "tasks deliveries",
      "redeliver TASK_ID",
      "--version",
    ])
      expect(r.stdout).toContain(name);
  });

  it("redeliver --help prints its own usage (issue 13)", async () => {
    const r = await runCli(["redeliver", "--help"], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: hookline redeliver TASK_ID/);
    expect(r.stdout).not.toContain("tasks ls");
    expect(r.stdout).toContain(optionLine(CLIENT_OPTIONS.apiKey));
  });
});
