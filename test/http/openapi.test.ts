/**
 * The routes that answer without a key (spec 13): the OpenAPI document, the docs UI, liveness and readiness.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";

describe("public routes", () => {
  let h: TestHookline;
  beforeAll(async () => {
    h = await startTestHookline();
  });
  afterAll(() => h.stop());

  it("GET /openapi.json without auth is an OpenAPI 3 document listing the WAV paths", async () => {
    const res = await fetch(`${h.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const doc = (await res.json()) as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { requestBody?: unknown; parameters?: unknown[] }>>;
      components?: { securitySchemes?: Record<string, { type: string; scheme?: string }> };
    };
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    expect(doc.paths["/api/v1/wav/generate"]?.post?.requestBody).toBeDefined();
    expect(doc.paths["/api/v1/wav/record-info"]?.get?.parameters).toBeDefined();
    for (const path of [
      "/api/file-url-upload",
      "/api/file-base64-upload",
      "/api/file-stream-upload",
      "/api/v1/generate/credit",
      "/api/v1/chat/credit",
      "/api/v1/generate/record-info",
      "/api/v1/hookline/tracks",
      "/api/v1/hookline/tasks",
    ]) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    // The schema documents every accepted spelling (spec 11 #21).
    const gen = JSON.stringify(doc.paths["/api/v1/wav/generate"]);
    for (const name of ["callBackUrl", "callbackUrl", "calBackUrl", "audio_id", "task_id"]) {
      expect(gen).toContain(name);
    }
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("/docs answers without auth", async () => {
    const res = await fetch(`${h.url}/docs`, { redirect: "follow" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/swagger/i);
  });

  it("/healthz and /readyz answer without auth", async () => {
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; database: string; ffmpeg: string };
    expect(body).toMatchObject({ status: "ready", database: h.running.services.store.dialect });
    expect(body.ffmpeg).toBeTruthy();
  });

  it("everything else needs the key", async () => {
    for (const path of ["/api/v1/hookline/tasks", "/api/v1/generate/credit"]) {
      expect(await (await fetch(`${h.url}${path}`)).json()).toMatchObject({ code: 401 });
    }
  });
});
