/**
 * Bad requests against the real server (spec 1.3, 2.1, 13): each answers its documented code in both dialects,
 * and the server keeps serving afterwards.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { revokeKey } from "../../src/keys/index.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { expectServing, raw } from "./support.js";

const DIALECTS = [
  { dialect: "sunoapi", invalid: 400, tooLarge: 413 },
  { dialect: "kie", invalid: 422, tooLarge: 422 },
] as const;

describe.each(DIALECTS)("bad requests, $dialect dialect", ({ dialect, invalid, tooLarge }) => {
  let h: TestHookline;
  beforeAll(async () => {
    h = await startTestHookline({ env: { HOOKLINE_CODE_DIALECT: dialect } });
  });
  afterEach(() => expectServing(h));
  afterAll(() => h.stop());

  it("malformed JSON: HTTP 200, envelope 400 in both dialects", async () => {
    for (const body of ['{"audioId":', "not json", "{'a':1}"]) {
      const res = await raw(h, "/api/v1/wav/generate", body);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ code: 400, msg: "Malformed JSON body", data: null });
    }
    const empty = await raw(h, "/api/v1/wav/generate", "");
    expect(empty.status).toBe(200);
    expect(await empty.json()).toMatchObject({ code: 400 });
  });

  it("malformed JSON on an upload endpoint keeps success:false", async () => {
    const res = await raw(h, "/api/file-base64-upload", "{");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: false, code: 400 });
  });

  it("wrong types are refused without coercion", async () => {
    for (const json of [
      { audioId: 123 },
      { audioId: null },
      { audioId: ["a"] },
      { audioId: "0b6b1a0e-0000-4000-8000-000000000000", callBackUrl: 5 },
      { audioId: "0b6b1a0e-0000-4000-8000-000000000000", taskId: true },
    ]) {
      const env = await h.call("/api/v1/wav/generate", { json });
      expect(env.code, JSON.stringify(json)).toBe(invalid);
      expect(env.msg).toMatch(/Invalid parameters/);
    }
    const upload = await h.call("/api/file-base64-upload", { json: { base64Data: 5, uploadPath: "x" } });
    expect(upload).toMatchObject({ success: false, code: invalid });
    const track = await h.call("/api/v1/hookline/tracks", { json: { filePath: 1 } });
    expect(track.code).toBe(invalid);
  });

  it("missing fields", async () => {
    expect(await h.call("/api/v1/wav/generate", { json: {} })).toMatchObject({ code: invalid });
    expect(await h.call("/api/v1/wav/generate", { json: { taskId: "a".repeat(32) } })).toMatchObject({
      code: invalid,
      msg: "audioId is required",
    });
    expect(await h.call("/api/v1/wav/record-info")).toMatchObject({ code: invalid });
    expect(await h.call("/api/v1/generate/record-info")).toMatchObject({ code: invalid });
    expect(await h.call("/api/file-url-upload", { json: { uploadPath: "x" } })).toMatchObject({
      success: false,
      code: invalid,
    });
    expect(await h.call("/api/file-base64-upload", { json: { base64Data: "AAAA" } })).toMatchObject({
      success: false,
      code: invalid,
    });
    expect(await h.call("/api/v1/hookline/tracks", { json: {} })).toMatchObject({ code: invalid });
    expect(await h.call("/api/v1/common/download-url", { json: {} })).toMatchObject({ code: invalid });
  });

  it("unknown audioId and taskId answer 404", async () => {
    const gen = await h.call("/api/v1/wav/generate", {
      json: { audioId: "0b6b1a0e-0000-4000-8000-000000000000" },
    });
    expect(gen).toMatchObject({ code: 404, data: null });
    expect((await h.call(`/api/v1/wav/record-info?taskId=${"f".repeat(32)}`)).code).toBe(404);
    expect((await h.call(`/api/v1/generate/record-info?taskId=${"f".repeat(32)}`)).code).toBe(404);
  });

  it(`a body over the JSON body limit: ${tooLarge}`, async () => {
    const big = JSON.stringify({ audioId: "x".repeat(1_100_000) });
    const res = await raw(h, "/api/v1/wav/generate", big);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ code: tooLarge });
  });

  it("unknown path: HTTP 404, envelope 404, before auth", async () => {
    // (`/` is not unknown: it leads to the web console.)
    for (const path of ["/api/v1/nope", "/api/v1/wav/generate/extra", "/console/nope/"]) {
      const res = await fetch(`${h.url}${path}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 404, data: null });
    }
  });

  it("wrong method: HTTP 405, envelope 404", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/wav/generate"],
      ["POST", "/api/v1/wav/record-info"],
      ["PUT", "/api/file-stream-upload"],
      ["DELETE", "/api/v1/generate/credit"],
    ] as const) {
      const res = await fetch(`${h.url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(await res.json()).toMatchObject({ code: 404 });
    }
  });

  it("no, malformed or unknown Bearer key: 401", async () => {
    const url = `${h.url}/api/v1/generate/credit`;
    for (const headers of [
      {} as Record<string, string>,
      { authorization: "Bearer" },
      { authorization: "Basic abc" },
      { authorization: `Bearer hk_${"0".repeat(32)}` },
      { authorization: `Bearer ${h.apiKey}x` },
    ]) {
      const res = await fetch(url, { headers });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ code: 401 });
    }
    const upload = await fetch(`${h.url}/api/file-base64-upload`, { method: "POST" });
    expect(await upload.json()).toMatchObject({ code: 401, success: false });
  });

  it("a revoked key: 401 at once", async () => {
    const other = await h.newKey("to-revoke");
    expect((await h.call("/api/v1/chat/credit", { key: other.apiKey })).code).toBe(200);
    const { store, clock } = h.running.services;
    await revokeKey(store, clock, other.keyId);
    expect((await h.call("/api/v1/chat/credit", { key: other.apiKey })).code).toBe(401);
    expect((await h.call("/api/v1/hookline/tasks", { key: other.apiKey })).code).toBe(401);
  });
});
