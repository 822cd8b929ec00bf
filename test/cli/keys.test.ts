/**
 * `hookline keys …` as a real process (spec 13) next to a running server on the same data folder: the JSON line
 * of `create` (a live key's name refused), and `ls`, `revoke`, `rotate-webhook-key`, `hmac off`, `credits`, `simulate`, each seen at once by the server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { requireBuild, runCli } from "./run.js";

describe("hookline keys", () => {
  let h: TestHookline;
  let env: Record<string, string>;
  let created: { id: string; apiKey: string; webhookHmacKey: string };

  beforeAll(async () => {
    requireBuild();
    h = await startTestHookline();
    env = { HOOKLINE_DATA_DIR: h.dataDir, HOOKLINE_LOG_LEVEL: "info" };
  });
  afterAll(() => h.stop());

  it("keys create --name N --json prints exactly one JSON line; the running server accepts the key at once", async () => {
    const r = await runCli(["keys", "create", "--name", "ci bot", "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(r.stdout.endsWith("\n")).toBe(true);
    created = JSON.parse(lines[0]!);
    expect(created.apiKey).toMatch(/^hk_[0-9A-Za-z]{32}$/);
    expect(created.webhookHmacKey).toMatch(/^whsec_/);
    expect(created).toMatchObject({ name: "ci bot", hmacEnabled: true, revokedAt: null });
    expect(await h.call("/api/v1/generate/credit", { key: created.apiKey })).toMatchObject({ code: 200 });
  });

  it("keys create without --name fails with a message and no stdout", async () => {
    const r = await runCli(["keys", "create", "--json"], env);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/--name/);
  });

  it("keys create with the name of a live key is refused with a clear message; once revoked, the name is free", async () => {
    const first = await runCli(["keys", "create", "--name", "dev", "--json"], env);
    expect(first.code, first.stderr).toBe(0);
    const again = await runCli(["keys", "create", "--name", "dev", "--json"], env);
    expect(again.code).not.toBe(0);
    expect(again.stdout).toBe("");
    expect(again.stderr).toBe("hookline: a live key is already named dev\n");
    const { id } = JSON.parse(first.stdout) as { id: string };
    expect((await runCli(["keys", "revoke", id], env)).code).toBe(0);
    const third = await runCli(["keys", "create", "--name", "dev", "--json"], env);
    expect(third.code, third.stderr).toBe(0);
    // The name now means the live key.
    const off = await runCli(["keys", "hmac", "off", "dev", "--json"], env);
    expect(JSON.parse(off.stdout)).toMatchObject({ id: JSON.parse(third.stdout).id, hmacEnabled: false });
  });

  it("keys ls lists keys, as text and as JSON, never the secrets", async () => {
    const text = await runCli(["keys", "ls"], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("ci bot");
    expect(text.stdout).toContain(created.id);
    expect(text.stdout).not.toContain(created.apiKey);
    const json = await runCli(["keys", "ls", "--json"], env);
    const all = JSON.parse(json.stdout) as { id: string; name: string; hint: string }[];
    expect(all.map((k) => k.name)).toEqual(expect.arrayContaining(["test", "ci bot"]));
    expect(json.stdout).not.toContain(created.apiKey);
    expect(json.stdout).not.toContain(created.webhookHmacKey);
  });

  it("keys rotate-webhook-key prints a new webhook key", async () => {
    const r = await runCli(["keys", "rotate-webhook-key", created.id, "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.webhookHmacKey).toMatch(/^whsec_/);
    expect(out.webhookHmacKey).not.toBe(created.webhookHmacKey);
    expect(Date.parse(out.previousKeyValidUntil)).toBeGreaterThan(Date.now());
  });

  it("keys hmac off / on switches the X-Webhook-* signing", async () => {
    const off = await runCli(["keys", "hmac", "off", created.id], env);
    expect(off.code, off.stderr).toBe(0);
    const ls = JSON.parse((await runCli(["keys", "ls", "--json"], env)).stdout) as {
      id: string;
      hmacEnabled: boolean;
    }[];
    expect(ls.find((k) => k.id === created.id)?.hmacEnabled).toBe(false);
    const on = await runCli(["keys", "hmac", "on", created.id, "--json"], env);
    expect(JSON.parse(on.stdout)).toMatchObject({ id: created.id, hmacEnabled: true });
    const bad = await runCli(["keys", "hmac", "maybe", created.id], env);
    expect(bad.code).not.toBe(0);
  });

  it("keys credits sets, adds to and removes a balance; the running server reports it at once", async () => {
    const credit = async () => (await h.call("/api/v1/generate/credit", { key: created.apiKey })).data;
    const set = await runCli(["keys", "credits", created.id, "5", "--json"], env);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ id: created.id, credits: 5 });
    expect(await credit()).toBe(5);
    expect((await runCli(["keys", "credits", created.id, "+3"], env)).code).toBe(0);
    expect(await credit()).toBe(8);
    const ls = JSON.parse((await runCli(["keys", "ls", "--json"], env)).stdout) as {
      id: string;
      credits: number;
    }[];
    expect(ls.find((k) => k.id === created.id)?.credits).toBe(8);
    expect((await runCli(["keys", "credits", created.id, "unlimited"], env)).code).toBe(0);
    expect(await credit()).toBe(999_999_999);
    const bad = await runCli(["keys", "credits", created.id, "2.5"], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/whole numbers/);
  });

  it("keys simulate sets and clears a key's failure simulation, refusing a bad one", async () => {
    const set = await runCli(["keys", "simulate", created.id, "fail=501,", "duplicate=1", "--json"], env);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ id: created.id, simulate: "fail=501,duplicate=1" });
    const ls = await runCli(["keys", "ls"], env);
    expect(ls.stdout).toContain("simulate=fail=501,duplicate=1");
    const bad = await runCli(["keys", "simulate", created.id, "fail=999"], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/fail=400\|408/);
    const off = await runCli(["keys", "simulate", created.id, "off", "--json"], env);
    expect(JSON.parse(off.stdout)).toMatchObject({ simulate: null });
  });

  it("keys revoke: the running server refuses the key at once", async () => {
    const r = await runCli(["keys", "revoke", created.id], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(created.id);
    expect(await h.call("/api/v1/generate/credit", { key: created.apiKey })).toMatchObject({ code: 401 });
    expect(await h.call("/api/v1/generate/credit")).toMatchObject({ code: 200 });
    const unknown = await runCli(["keys", "revoke", "key_nope"], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no key/);
  });
});
