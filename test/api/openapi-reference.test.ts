/**
 * The API reference (/openapi.json, shown at /docs) is complete and does not lie: every operation is tagged with a
 * declared tag and has a typed success answer, the task-creating operations declare Hookline-Simulate, the four
 * callbacks are described as OpenAPI 3.1 `webhooks`, and real answers and a real callback validate against the
 * documented schemas, compiled by the server's own validator compiler (Fastify's Ajv).
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAudio, type TmpDir, tmpDir } from "../helpers/audio.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";
import { type Receiver, startReceiver } from "../helpers/receiver.js";
import { waitFor } from "../helpers/wait.js";

type Schema = Record<string, unknown>;
interface Operation {
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string }[];
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface Doc {
  openapi: string;
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  webhooks?: Record<string, { post?: { requestBody?: { content?: Record<string, { schema?: Schema }> } } }>;
  components?: { securitySchemes?: Record<string, unknown>; schemas?: Record<string, unknown> };
}

const TASK_CREATING = [
  "/api/v1/wav/generate",
  "/api/v1/suno/cover/generate",
  "/api/v1/voice/validate",
  "/api/v1/voice/generate",
];

describe("the OpenAPI reference", () => {
  let h: TestHookline;
  let doc: Doc;
  let dir: TmpDir;
  let receiver: Receiver;
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        id: `${method.toUpperCase()} ${path}`,
        path,
        method,
        op,
      })),
    );

  beforeAll(async () => {
    dir = await tmpDir("openapi-ref");
    receiver = await startReceiver((_req, res) => res.end("ok"));
    h = await startTestHookline({ env: { HOOKLINE_ADMIN_TOKEN: "admin-token-for-the-reference-test" } });
    doc = (await (await fetch(`${h.url}/openapi.json`)).json()) as Doc;
  });
  afterAll(async () => {
    await h.stop();
    await receiver.close();
    await dir.cleanup();
  });

  /** A documented schema with its `#/components/schemas/…` references written out, as a validator takes it. */
  function inline(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(inline);
    if (typeof node !== "object" || node === null) return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === "string") {
      const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1] ?? "";
      const target = doc.components?.schemas?.[name];
      expect(target, `${ref} is in components.schemas`).toBeDefined();
      return inline(target);
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v)]));
  }

  /** Validates a value against a documented schema with the server's own validator compiler. */
  function check(schema: Schema | undefined, value: unknown): string[] {
    expect(schema, "a documented schema").toBeDefined();
    const compile = h.running.app?.validatorCompiler;
    if (!compile) throw new Error("the test server has no API");
    const validate = compile({
      schema: inline(schema ?? {}) as Schema,
      method: "POST",
      url: "/",
      httpPart: "body",
    });
    const result = validate(value);
    if (result === true) return [];
    const errors = "errors" in validate && Array.isArray(validate.errors) ? validate.errors : [];
    return errors.map((e: { instancePath?: string; message?: string }) => `${e.instancePath} ${e.message}`);
  }

  const jsonSchemaOf = (path: string, method: string, status = "200") =>
    doc.paths[path]?.[method]?.responses[status]?.content?.["application/json"]?.schema;

  it("is OpenAPI 3.1, with the API key and the admin token as Bearer schemes", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.components?.securitySchemes ?? {}).sort()).toEqual(["adminToken", "bearer"]);
  });

  it("types every operation's success answer, tags it with a declared, described tag, and marks its access", () => {
    const declared = new Map((doc.tags ?? []).map((t) => [t.name, t.description ?? ""]));
    const problems: string[] = [];
    for (const { id, path, op } of operations()) {
      const success = Object.entries(op.responses).filter(([status]) => /^2/.test(status));
      if (success.length === 0) problems.push(`${id}: no 2xx answer`);
      for (const [status, answer] of success) {
        const typed = Object.values(answer.content ?? {}).some((c) => c.schema !== undefined);
        if (!typed) problems.push(`${id}: ${status} has no schema`);
      }
      if (!op.tags || op.tags.length === 0) problems.push(`${id}: untagged`);
      for (const tag of op.tags ?? []) {
        if (tag === "default" || !declared.get(tag)) problems.push(`${id}: tag "${tag}" is not declared`);
      }
      if (path.includes("/admin/") && JSON.stringify(op.security) !== JSON.stringify([{ adminToken: [] }]))
        problems.push(`${id}: not marked as needing the admin token`);
    }
    expect(problems).toEqual([]);
    expect(operations().length).toBeGreaterThan(30);
    expect(doc.paths["/healthz"]?.get?.security).toEqual([]);
  });

  it("declares Hookline-Simulate on exactly the four task-creating operations", () => {
    const withHeader = operations()
      .filter(({ op }) =>
        (op.parameters ?? []).some((p) => p.in === "header" && p.name === "hookline-simulate"),
      )
      .map(({ path }) => path);
    expect(withHeader.sort()).toEqual([...TASK_CREATING].sort());
  });

  it("describes the four callback families as webhooks with a body schema and the signature headers", () => {
    const hooks = doc.webhooks ?? {};
    expect(Object.keys(hooks).sort()).toEqual([
      "coverCallback",
      "voiceGenerateCallback",
      "voiceValidateCallback",
      "wavCallback",
    ]);
    for (const [name, hook] of Object.entries(hooks)) {
      expect(hook.post?.requestBody?.content?.["application/json"]?.schema, name).toBeDefined();
      const text = JSON.stringify(hook);
      for (const header of ["webhook-id", "webhook-timestamp", "webhook-signature", "X-Webhook-Signature"])
        expect(text, `${name} ${header}`).toContain(header);
    }
    // Both spellings where the resellers' docs disagree.
    const wav = JSON.stringify(hooks.wavCallback);
    for (const field of ["audioWavUrl", "audio_wav_url", "task_id"]) expect(wav).toContain(field);
  });

  it("documents schemas that real answers and a real callback validate against, and that refuse a wrong one", async () => {
    const wavPath = await makeAudio(dir.path, { format: "wav", seconds: 1 });
    const base64Data = (await readFile(wavPath)).toString("base64");
    const upload = await h.call("/api/file-base64-upload", {
      method: "POST",
      json: { base64Data, uploadPath: "ref", fileName: "ref.wav" },
    });
    expect(upload.code).toBe(200);
    expect(check(jsonSchemaOf("/api/file-base64-upload", "post"), upload)).toEqual([]);

    const created = await h.call("/api/v1/wav/generate", {
      method: "POST",
      headers: { "Hookline-Simulate": "fail=501" },
      json: { audioId: upload.data.audioId, callBackUrl: `${receiver.origin}/cb` },
    });
    expect(created.code).toBe(200);
    expect(check(jsonSchemaOf("/api/v1/wav/generate", "post"), created)).toEqual([]);
    const taskId: string = created.data.taskId;

    const record = await waitFor("the WAV task to fail", async () => {
      const r = await h.call(`/api/v1/wav/record-info?taskId=${taskId}`);
      return r.data.status === "PENDING" ? undefined : r;
    });
    expect(record.data).toMatchObject({ status: "GENERATE_WAV_FAILED", errorCode: 501 });
    expect(check(jsonSchemaOf("/api/v1/wav/record-info", "get"), record)).toEqual([]);

    const callback = await waitFor("the WAV callback", () => receiver.requests[0]);
    const hookSchema = doc.webhooks?.wavCallback?.post?.requestBody?.content?.["application/json"]?.schema;
    expect(check(hookSchema, JSON.parse(callback.body))).toEqual([]);
    expect(callback.headers["webhook-signature"]).toMatch(/^v1,/);

    const answers: [string, string, string][] = [
      ["/api/v1/generate/credit", "/api/v1/generate/credit", "get"],
      ["/api/v1/hookline/tasks", "/api/v1/hookline/tasks", "get"],
      [`/api/v1/hookline/tasks/${taskId}`, "/api/v1/hookline/tasks/{taskId}", "get"],
      [`/api/v1/hookline/tasks/${taskId}/deliveries`, "/api/v1/hookline/tasks/{taskId}/deliveries", "get"],
      [`/api/v1/generate/record-info?taskId=${upload.data.taskId}`, "/api/v1/generate/record-info", "get"],
      ["/api/v1/hookline/voices", "/api/v1/hookline/voices", "get"],
      ["/api/v1/hookline/receivers", "/api/v1/hookline/receivers", "get"],
    ];
    for (const [url, path, method] of answers) {
      const body = await h.call(url);
      expect(body.code, url).toBe(200);
      expect(check(jsonSchemaOf(path, method), body), url).toEqual([]);
    }
    const keys = await h.call("/api/v1/hookline/admin/keys", { key: "admin-token-for-the-reference-test" });
    expect(check(jsonSchemaOf("/api/v1/hookline/admin/keys", "get"), keys)).toEqual([]);

    // An error answer (HTTP 200 by default) validates too, and the schemas have teeth.
    const missing = await h.call("/api/v1/wav/record-info?taskId=0123456789abcdef0123456789abcdef");
    expect(missing.code).toBe(404);
    expect(check(jsonSchemaOf("/api/v1/wav/record-info", "get"), missing)).toEqual([]);
    const wrong = { ...record, data: { ...record.data, musicIndex: "0" } };
    expect(check(jsonSchemaOf("/api/v1/wav/record-info", "get"), wrong)).not.toEqual([]);
    const lying = { ...JSON.parse(callback.body), code: 200 };
    expect(check(hookSchema, lying)).not.toEqual([]);
  });
  it("documents the cover and voice-validate records and callbacks as Hookline sends them (simulated failures)", async () => {
    const wavPath = await makeAudio(dir.path, { format: "wav", seconds: 12, name: "voice-src.wav" });
    const upload = await h.call("/api/file-base64-upload", {
      method: "POST",
      json: { base64Data: (await readFile(wavPath)).toString("base64"), uploadPath: "ref2" },
    });
    expect(upload.code).toBe(200);
    const simulate = { "Hookline-Simulate": "fail=400" };
    const cb = `${receiver.origin}/families`;
    const cover = await h.call("/api/v1/suno/cover/generate", {
      method: "POST",
      headers: simulate,
      json: { taskId: upload.data.taskId, callBackUrl: cb },
    });
    const voice = await h.call("/api/v1/voice/validate", {
      method: "POST",
      headers: simulate,
      json: { voiceUrl: upload.data.downloadUrl, vocalStartS: 0, vocalEndS: 10, callBackUrl: cb },
    });
    expect(check(jsonSchemaOf("/api/v1/suno/cover/generate", "post"), cover)).toEqual([]);
    expect(check(jsonSchemaOf("/api/v1/voice/validate", "post"), voice)).toEqual([]);

    const cases: [string, string, string][] = [
      [cover.data.taskId, "/api/v1/suno/cover/record-info", "coverCallback"],
      [voice.data.taskId, "/api/v1/voice/validate-info", "voiceValidateCallback"],
    ];
    for (const [taskId, recordPath, hook] of cases) {
      const sent = await waitFor(`the ${hook}`, () =>
        receiver.requests.find((r) => r.url === "/families" && JSON.parse(r.body).taskId === taskId),
      );
      const body = JSON.parse(sent.body);
      expect(body.code).toBe(400);
      const schema = doc.webhooks?.[hook]?.post?.requestBody?.content?.["application/json"]?.schema;
      expect(check(schema, body), hook).toEqual([]);
      const record = await h.call(`${recordPath}?taskId=${taskId}`);
      expect(record.code).toBe(200);
      expect(check(jsonSchemaOf(recordPath, "get"), record), recordPath).toEqual([]);
    }
  });
});
