/**
 * The operator's admin API over keys (issue 12, the console's Keys page) through the real server, on both
 * databases: only the admin token (or an operator's console session) reaches it; a new key's secrets are shown
 * once; live names are unique; every change shows in the list and takes effect at once; a rotated webhook key
 * signs alongside the new one during the grace period. Also through the SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HooklineClient, isHooklineApiError, verifyCallback } from "../../src/client/index.js";
import { openSession } from "../../src/console/index.js";
import { SESSION_COOKIE } from "../../src/http/index.js";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { dialects, freshDatabase, type TestDb } from "../helpers/db.js";
import { type Envelope, startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";
import { settledWav, uploadTrack } from "../http/support.js";

const TOKEN = "operator-token-3f9c1d2e8a7b6c5d";
const KEYS = "/api/v1/hookline/admin/keys";

/** Every admin endpoint, with a body each accepts. */
const ENDPOINTS = (keyId: string) =>
  [
    ["GET", KEYS, undefined],
    ["POST", KEYS, { name: "intruder" }],
    ["PATCH", `${KEYS}/${keyId}`, { credits: 1 }],
    ["POST", `${KEYS}/${keyId}/revoke`, undefined],
    ["POST", `${KEYS}/${keyId}/rotate-webhook-key`, undefined],
  ] as const;

/** Calls each admin endpoint with these headers; answers the envelope codes. */
async function codesWith(h: TestHookline, keyId: string, headers: Record<string, string>): Promise<number[]> {
  const codes: number[] = [];
  for (const [method, path, json] of ENDPOINTS(keyId)) {
    const res = await fetch(`${h.url}${path}`, {
      method,
      headers: { ...headers, ...(json ? { "content-type": "application/json" } : {}) },
      ...(json ? { body: JSON.stringify(json) } : {}),
    });
    codes.push(((await res.json()) as Envelope).code);
  }
  return codes;
}

for (const dialect of dialects()) {
  describe(`the admin API over keys on ${dialect}`, () => {
    let db: TestDb;
    let h: TestHookline;
    let dir: TmpDir;
    let receiver: Receiver;
    const admin = (path: string, init: RequestInit & { json?: unknown } = {}) =>
      h.call(`${KEYS}${path}`, { ...init, key: TOKEN });
    const list = async () => (await admin("")).data.keys as Record<string, unknown>[];
    const viewOf = async (keyId: string) => (await list()).find((k) => k.keyId === keyId);

    beforeAll(async () => {
      db = await freshDatabase(dialect);
      receiver = await startReceiver((_req, res) => res.end("ok"));
      h = await startTestHookline({ database: db.target, env: { HOOKLINE_ADMIN_TOKEN: TOKEN } });
      dir = await tmpDir("admin-keys");
    });
    afterAll(async () => {
      await h.stop();
      await db.drop();
      await receiver.close();
      await dir.cleanup();
    });

    it("answers 401 without the admin token: none, a tenant's key, a wrong one, a tenant's console session", async () => {
      const tenant = await openSession(h.running.services.store.db, "tenant", h.keyId, Date.now());
      const refused: Record<string, string>[] = [
        {},
        { authorization: `Bearer ${h.apiKey}` },
        { authorization: `Bearer ${TOKEN}x` },
        { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
        { cookie: `${SESSION_COOKIE}=${tenant.token}` },
      ];
      for (const headers of refused) {
        expect(await codesWith(h, h.keyId, headers), JSON.stringify(headers)).toEqual([
          401, 401, 401, 401, 401,
        ]);
      }
      // Nothing was changed by the refused calls.
      expect(await h.call("/api/v1/generate/credit")).toMatchObject({ code: 200, data: 999_999_999 });
      expect((await list()).map((k) => k.name)).toEqual(["test"]);
    });

    it("an operator's console session reaches it; a cross-site change with the cookie is refused", async () => {
      const op = await openSession(h.running.services.store.db, "operator", null, Date.now());
      const cookie = `${SESSION_COOKIE}=${op.token}`;
      const listed = await h.call(KEYS, { headers: { authorization: "", cookie } });
      expect(listed).toMatchObject({ code: 200, data: { keys: [{ keyId: h.keyId }] } });
      const cross = await fetch(`${h.url}${KEYS}/${h.keyId}/revoke`, {
        method: "POST",
        headers: { cookie, origin: "https://evil.example" },
      });
      expect(((await cross.json()) as Envelope).code).toBe(401);
      expect(await h.call("/api/v1/generate/credit")).toMatchObject({ code: 200 });
    });

    it("creates a key whose secrets are shown once; the list never shows a secret; the key works at once", async () => {
      const made = await admin("", { json: { name: "shop", credits: 10 } });
      expect(made.code, made.msg).toBe(200);
      const { key, apiKey, webhookHmacKey } = made.data;
      expect(apiKey).toMatch(/^hk_[0-9A-Za-z]{32}$/);
      expect(webhookHmacKey).toMatch(/^whsec_/);
      expect(key).toEqual({
        keyId: expect.stringMatching(/^key_/),
        name: "shop",
        hint: `${apiKey.slice(0, 7)}…${apiKey.slice(-4)}`,
        createTime: expect.any(String),
        revokeTime: null,
        hmacEnabled: true,
        credits: 10,
        simulate: null,
        rateLimit: null,
        webhookKeyRotatedUntil: null,
      });
      expect(Math.abs(Date.parse(key.createTime) - Date.now())).toBeLessThan(60_000);
      const listed = await admin("");
      expect(listed.data.keys[0]).toEqual(key);
      expect(listed.data.keys.map((k: { name: string }) => k.name)).toEqual(["shop", "test"]);
      const text = JSON.stringify(listed);
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(apiKey.slice(3));
      expect(text).not.toContain(webhookHmacKey);
      expect(await h.call("/api/v1/hookline/tasks", { key: apiKey })).toMatchObject({
        code: 200,
        data: { tasks: [] },
      });
      expect(await h.call("/api/v1/generate/credit", { key: apiKey })).toMatchObject({ code: 200, data: 10 });
    });

    it("refuses a name a live key has, with conflict; a revoked key's name is free again; bad bodies are 400", async () => {
      const first = await admin("", { json: { name: "twin" } });
      const again = await admin("", { json: { name: "twin" } });
      expect(again).toMatchObject({ code: 409, msg: "a live key is already named twin", data: null });
      expect((await list()).filter((k) => k.name === "twin")).toHaveLength(1);
      expect((await admin(`/${first.data.key.keyId}/revoke`, { method: "POST" })).code).toBe(200);
      const third = await admin("", { json: { name: "twin" } });
      expect(third.code, third.msg).toBe(200);
      expect(third.data.key.keyId).not.toBe(first.data.key.keyId);
      for (const json of [
        {},
        { name: "" },
        { name: "x".repeat(65) },
        { name: "n", credits: -1 },
        { name: 5 },
      ]) {
        expect((await admin("", { json })).code, JSON.stringify(json)).toBe(400);
      }
    });

    it("PATCH changes each field, seen in the list and by the server at once; a bad value changes nothing", async () => {
      const made = (await admin("", { json: { name: "patched", hmacEnabled: false } })).data;
      const id: string = made.key.keyId;
      const patch = (json: unknown) => admin(`/${id}`, { method: "PATCH", json });
      expect(made.key.hmacEnabled).toBe(false);

      expect(await patch({ name: "renamed", hmacEnabled: true })).toMatchObject({
        code: 200,
        data: { key: { keyId: id, name: "renamed", hmacEnabled: true } },
      });
      expect(await viewOf(id)).toMatchObject({ name: "renamed", hmacEnabled: true });
      expect(await patch({ name: "renamed" })).toMatchObject({ code: 200 });
      expect(await patch({ name: "test" })).toMatchObject({
        code: 409,
        msg: "a live key is already named test",
      });

      expect((await patch({ credits: 7 })).data.key.credits).toBe(7);
      expect(await h.call("/api/v1/generate/credit", { key: made.apiKey })).toMatchObject({ data: 7 });
      expect((await patch({ credits: null })).data.key.credits).toBeNull();
      expect(await h.call("/api/v1/generate/credit", { key: made.apiKey })).toMatchObject({
        data: 999_999_999,
      });

      expect((await patch({ simulate: "fail=501, duplicate=1" })).data.key.simulate).toBe(
        "fail=501,duplicate=1",
      );
      const bad = await patch({ simulate: "fail=999", name: "never" });
      expect(bad.code).toBe(400);
      expect(bad.msg).toMatch(/fail=400\|408/);
      expect(await viewOf(id)).toMatchObject({ name: "renamed", simulate: "fail=501,duplicate=1" });
      expect((await patch({ simulate: "off" })).data.key.simulate).toBeNull();
      await patch({ simulate: "delay=1" });
      expect((await patch({ simulate: null })).data.key.simulate).toBeNull();

      expect((await patch({ rateLimit: 1 })).data.key.rateLimit).toBe(1);
      expect((await h.call("/api/v1/generate/credit", { key: made.apiKey })).code).toBe(200);
      expect((await h.call("/api/v1/generate/credit", { key: made.apiKey })).code).toBe(430);
      expect((await patch({ rateLimit: 0 })).data.key.rateLimit).toBe(0);
      expect((await h.call("/api/v1/generate/credit", { key: made.apiKey })).code).toBe(200);
      expect((await patch({ rateLimit: null })).data.key.rateLimit).toBeNull();
      for (const json of [
        { rateLimit: 1.5 },
        { rateLimit: -1 },
        { credits: "5" },
        { name: "" },
        { hmacEnabled: 1 },
      ]) {
        expect((await patch(json)).code, JSON.stringify(json)).toBe(400);
      }
      expect(await viewOf(id)).toMatchObject({
        name: "renamed",
        hmacEnabled: true,
        credits: null,
        rateLimit: null,
      });
      expect(await admin("/key_nope", { method: "PATCH", json: { credits: 1 } })).toMatchObject({
        code: 404,
      });
      // Keys are addressed by id: a key's name is no id.
      expect(await admin("/renamed", { method: "PATCH", json: { credits: 1 } })).toMatchObject({ code: 404 });
    });

    it("revoke refuses the key from the next request on; revoking again keeps the first time", async () => {
      const made = (await admin("", { json: { name: "leaving" } })).data;
      const id: string = made.key.keyId;
      expect((await h.call("/api/v1/hookline/tasks", { key: made.apiKey })).code).toBe(200);
      const revoked = await admin(`/${id}/revoke`, { method: "POST" });
      expect(revoked).toMatchObject({ code: 200, data: { key: { keyId: id, name: "leaving" } } });
      expect(Date.parse(revoked.data.key.revokeTime)).toBeGreaterThan(Date.parse(made.key.createTime) - 1);
      expect((await h.call("/api/v1/hookline/tasks", { key: made.apiKey })).code).toBe(401);
      await new Promise((r) => setTimeout(r, 5));
      const twice = await admin(`/${id}/revoke`, { method: "POST" });
      expect(twice.data.key.revokeTime).toBe(revoked.data.key.revokeTime);
      expect((await viewOf(id))?.revokeTime).toBe(revoked.data.key.revokeTime);
      expect(await admin("/key_nope/revoke", { method: "POST" })).toMatchObject({ code: 404 });
      expect((await h.call("/api/v1/hookline/tasks")).code).toBe(200);
    });

    it("rotate-webhook-key: a new key; during the grace period a callback verifies with either", async () => {
      const made = (await admin("", { json: { name: "rotating", hmacEnabled: false } })).data;
      const id: string = made.key.keyId;
      const rotated = await admin(`/${id}/rotate-webhook-key`, { method: "POST" });
      expect(rotated.code, rotated.msg).toBe(200);
      const fresh: string = rotated.data.webhookHmacKey;
      expect(fresh).toMatch(/^whsec_/);
      expect(fresh).not.toBe(made.webhookHmacKey);
      const until = Date.parse(rotated.data.key.webhookKeyRotatedUntil);
      expect(Math.abs(until - (Date.now() + 24 * 3_600_000))).toBeLessThan(60_000);
      expect((await viewOf(id))?.webhookKeyRotatedUntil).toBe(rotated.data.key.webhookKeyRotatedUntil);
      expect(JSON.stringify(await list())).not.toContain(fresh);

      const mp3 = await makeAudio(dir.path, { format: "mp3", seconds: 1 });
      const { audioId } = await uploadTrack(h, mp3, made.apiKey);
      const gen = await h.call("/api/v1/wav/generate", {
        key: made.apiKey,
        json: { audioId, callBackUrl: `${receiver.origin}/rotating` },
      });
      expect(gen.code, gen.msg).toBe(200);
      expect((await settledWav(h, gen.data.taskId, made.apiKey)).data.status).toBe("SUCCESS");
      const hook = await waitFor("the callback", () => receiver.requests.find((r) => r.url === "/rotating"));
      expect(String(hook.headers["webhook-signature"]).split(" ")).toHaveLength(2);
      for (const keys of [[made.webhookHmacKey], [fresh]]) {
        expect(verifyCallback(hook.headers, hook.body, keys)).toMatchObject({ ok: true, bodyVerified: true });
      }
      expect(verifyCallback(hook.headers, hook.body, [h.webhookKey])).toMatchObject({ ok: false });
      expect(await admin("/key_nope/rotate-webhook-key", { method: "POST" })).toMatchObject({ code: 404 });
    });

    it("through the SDK, with the admin token as the client's key", async () => {
      const client = new HooklineClient({ baseUrl: h.url, apiKey: TOKEN });
      const { key, apiKey } = await client.admin.createKey({ name: "sdk", credits: 3 });
      expect(key).toMatchObject({ name: "sdk", credits: 3, revokeTime: null });
      expect((await client.admin.listKeys()).keys[0]).toEqual(key);
      const tenant = new HooklineClient({ baseUrl: h.url, apiKey });
      expect(await tenant.credits()).toBe(3);
      const refused = await tenant.admin.listKeys().catch((e: unknown) => e);
      expect(isHooklineApiError(refused, "unauthorized")).toBe(true);
      const dup = await client.admin.createKey({ name: "sdk" }).catch((e: unknown) => e);
      expect(isHooklineApiError(dup, "conflict")).toBe(true);
      const updated = await client.admin.updateKey(key.keyId, {
        credits: null,
        simulate: "fail=501",
        rateLimit: 0,
      });
      expect(updated.key).toMatchObject({ credits: null, simulate: "fail=501", rateLimit: 0 });
      const rotated = await client.admin.rotateWebhookKey(key.keyId);
      expect(rotated.key.webhookKeyRotatedUntil).not.toBeNull();
      const revoked = await client.admin.revokeKey(key.keyId);
      expect(revoked.key.revokeTime).not.toBeNull();
      const gone = await tenant.credits().catch((e: unknown) => e);
      expect(isHooklineApiError(gone, "unauthorized")).toBe(true);
    });
  });

  describe(`without HOOKLINE_ADMIN_TOKEN on ${dialect}`, () => {
    let db: TestDb;
    let h: TestHookline;
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      h = await startTestHookline({
        database: db.target,
        roles: { api: true, runner: false, sender: false },
      });
    });
    afterAll(async () => {
      await h.stop();
      await db.drop();
    });

    it("the admin API answers 401 to any bearer", async () => {
      for (const bearer of [TOKEN, h.apiKey, "x", "null"]) {
        expect(await codesWith(h, h.keyId, { authorization: `Bearer ${bearer}` }), bearer).toEqual([
          401, 401, 401, 401, 401,
        ]);
      }
      expect(await codesWith(h, h.keyId, {})).toEqual([401, 401, 401, 401, 401]);
      expect(await h.call("/api/v1/hookline/tasks")).toMatchObject({ code: 200 });
    });
  });
}
