/**
 * Every operation the client performs, as data: method, path and the wire shape of its inputs as JSON Schema
 * (TypeBox). The client's methods send exactly these shapes (their types are derived from the schemas), and a
 * test checks this table against the server's own `/openapi.json`, so the two cannot drift apart.
 */
import { type TObject, Type } from "@sinclair/typebox";

/** One HTTP operation of the API. Path parameters are written `{name}`. */
export interface Operation {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE" | "HEAD";
  readonly path: string;
  readonly params?: TObject;
  readonly query?: TObject;
  /** A JSON body. */
  readonly body?: TObject;
  /** The text fields of a multipart body (the file part is `file`). */
  readonly form?: TObject;
  /** Whether the answer is the `{code,msg,data}` envelope (false for health checks and file downloads). */
  readonly envelope: boolean;
}

const str = (description?: string) => Type.String(description ? { description } : {});
const opt = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(schema);
const callBackUrl = opt(str("URL that receives the callback; without it the task is polled only"));
const taskIdQuery = Type.Object({ taskId: str() });
const taskIdParam = Type.Object({ taskId: str() });
const op = <const O extends Operation>(o: O): O => o;

/** The common endpoints, uploads, source tracks, the Hookline extras and the WAV family. */
const COMMON_OPERATIONS = {
  uploadFromUrl: op({
    method: "POST",
    path: "/api/file-url-upload",
    envelope: true,
    body: Type.Object({ fileUrl: str(), uploadPath: str(), fileName: opt(str()) }),
  }),
  uploadBase64: op({
    method: "POST",
    path: "/api/file-base64-upload",
    envelope: true,
    body: Type.Object({ base64Data: str(), uploadPath: str(), fileName: opt(str()) }),
  }),
  uploadStream: op({
    method: "POST",
    path: "/api/file-stream-upload",
    envelope: true,
    form: Type.Object({ uploadPath: str(), fileName: opt(str()) }),
  }),
  registerTrack: op({
    method: "POST",
    path: "/api/v1/hookline/tracks",
    envelope: true,
    body: Type.Object({ fileUrl: opt(str()), filePath: opt(str()), title: opt(str()) }),
  }),
  musicRecordInfo: op({
    method: "GET",
    path: "/api/v1/generate/record-info",
    envelope: true,
    query: taskIdQuery,
  }),
  wavGenerate: op({
    method: "POST",
    path: "/api/v1/wav/generate",
    envelope: true,
    body: Type.Object({ audioId: str(), taskId: opt(str()), callBackUrl }),
  }),
  wavRecordInfo: op({ method: "GET", path: "/api/v1/wav/record-info", envelope: true, query: taskIdQuery }),
  credits: op({ method: "GET", path: "/api/v1/generate/credit", envelope: true }),
  chatCredits: op({ method: "GET", path: "/api/v1/chat/credit", envelope: true }),
  downloadUrl: op({
    method: "POST",
    path: "/api/v1/common/download-url",
    envelope: true,
    body: Type.Object({ url: str() }),
  }),
  health: op({ method: "GET", path: "/healthz", envelope: false }),
  ready: op({ method: "GET", path: "/readyz", envelope: false }),
  fileDownload: op({
    method: "GET",
    path: "/files/{fileId}/{fileName}",
    envelope: false,
    params: Type.Object({ fileId: str(), fileName: str() }),
  }),
  fileHead: op({
    method: "HEAD",
    path: "/files/{fileId}/{fileName}",
    envelope: false,
    params: Type.Object({ fileId: str(), fileName: str() }),
  }),
  listTasks: op({
    method: "GET",
    path: "/api/v1/hookline/tasks",
    envelope: true,
    query: Type.Object({
      family: opt(str()),
      status: opt(str()),
      callback: opt(str("none | pending | retrying | delivered | failed")),
      q: opt(str("a task id, or an audioId")),
      limit: opt(Type.String({ pattern: "^[0-9]{1,4}$" })),
      cursor: opt(str()),
    }),
  }),
  taskDeliveries: op({
    method: "GET",
    path: "/api/v1/hookline/tasks/{taskId}/deliveries",
    envelope: true,
    params: taskIdParam,
  }),
  redeliver: op({
    method: "POST",
    path: "/api/v1/hookline/tasks/{taskId}/redeliver",
    envelope: true,
    params: taskIdParam,
  }),
  deleteTask: op({
    method: "DELETE",
    path: "/api/v1/hookline/tasks/{taskId}",
    envelope: true,
    params: taskIdParam,
  }),
  deleteFile: op({
    method: "DELETE",
    path: "/api/v1/hookline/files/{filePath}",
    envelope: true,
    params: Type.Object({ filePath: str() }),
  }),
} as const;

/** The cover family (spec 5) and the voice family with its voice list (spec 6 and 13), written from the spec. */
const COVER_AND_VOICE_OPERATIONS = {
  coverGenerate: op({
    method: "POST",
    path: "/api/v1/suno/cover/generate",
    envelope: true,
    body: Type.Object({ taskId: str("the music task"), callBackUrl }),
  }),
  coverRecordInfo: op({
    method: "GET",
    path: "/api/v1/suno/cover/record-info",
    envelope: true,
    query: taskIdQuery,
  }),
  voiceValidate: op({
    method: "POST",
    path: "/api/v1/voice/validate",
    envelope: true,
    body: Type.Object({
      voiceUrl: str(),
      vocalStartS: Type.Number(),
      vocalEndS: Type.Number(),
      language: opt(
        Type.Union(["en", "zh", "es", "fr", "pt", "de", "ja", "ko", "hi", "ru"].map((l) => Type.Literal(l))),
      ),
      callBackUrl,
    }),
  }),
  voiceValidateInfo: op({
    method: "GET",
    path: "/api/v1/voice/validate-info",
    envelope: true,
    query: taskIdQuery,
  }),
  voiceRegenerate: op({
    method: "POST",
    path: "/api/v1/voice/regenerate",
    envelope: true,
    // The reseller's schema spells it `calBackUrl`; Hookline accepts it too (spec 11 #13).
    body: Type.Object({ taskId: str(), calBackUrl: opt(str()) }),
  }),
  voiceGenerate: op({
    method: "POST",
    path: "/api/v1/voice/generate",
    envelope: true,
    body: Type.Object({
      taskId: str("the validation task"),
      verifyUrl: str(),
      voiceName: opt(str()),
      description: opt(str()),
      style: opt(str()),
      singerSkillLevel: opt(
        Type.Union(["beginner", "intermediate", "advanced", "professional"].map((l) => Type.Literal(l))),
      ),
      callBackUrl,
    }),
  }),
  voiceRecordInfo: op({
    method: "GET",
    path: "/api/v1/voice/record-info",
    envelope: true,
    query: taskIdQuery,
  }),
  // snake_case as in the reseller's schema (spec 6.7); Hookline accepts taskId too.
  voiceCheck: op({
    method: "POST",
    path: "/api/v1/voice/check-voice",
    envelope: true,
    body: Type.Object({ task_id: str() }),
  }),
  listVoices: op({ method: "GET", path: "/api/v1/hookline/voices", envelope: true }),
  getVoice: op({
    method: "GET",
    path: "/api/v1/hookline/voices/{voiceId}",
    envelope: true,
    params: Type.Object({ voiceId: str() }),
  }),
  deleteVoice: op({
    method: "DELETE",
    path: "/api/v1/hookline/voices/{voiceId}",
    envelope: true,
    params: Type.Object({ voiceId: str() }),
  }),
} as const;

/** A value or null, spelled as the server's OpenAPI 3.0 document spells it (`nullable`). */
const orNull = <T>(schema: { type: "string" | "integer"; minimum?: number }) =>
  Type.Unsafe<T | null>({ ...schema, nullable: true });

/** The operator's admin API over keys: the client's `apiKey` is then the admin token (HOOKLINE_ADMIN_TOKEN). */
const ADMIN_OPERATIONS = {
  adminListKeys: op({ method: "GET", path: "/api/v1/hookline/admin/keys", envelope: true }),
  adminCreateKey: op({
    method: "POST",
    path: "/api/v1/hookline/admin/keys",
    envelope: true,
    body: Type.Object({
      name: Type.String({ minLength: 1, maxLength: 64 }),
      credits: opt(Type.Integer({ minimum: 0 })),
      hmacEnabled: opt(Type.Boolean()),
    }),
  }),
  adminUpdateKey: op({
    method: "PATCH",
    path: "/api/v1/hookline/admin/keys/{keyId}",
    envelope: true,
    params: Type.Object({ keyId: str() }),
    body: Type.Object({
      name: opt(Type.String({ minLength: 1, maxLength: 64 })),
      hmacEnabled: opt(Type.Boolean()),
      credits: opt(orNull<number>({ type: "integer", minimum: 0 })),
      simulate: opt(orNull<string>({ type: "string" })),
      rateLimit: opt(orNull<number>({ type: "integer", minimum: 0 })),
    }),
  }),
  adminRevokeKey: op({
    method: "POST",
    path: "/api/v1/hookline/admin/keys/{keyId}/revoke",
    envelope: true,
    params: Type.Object({ keyId: str() }),
  }),
  adminRotateWebhookKey: op({
    method: "POST",
    path: "/api/v1/hookline/admin/keys/{keyId}/rotate-webhook-key",
    envelope: true,
    params: Type.Object({ keyId: str() }),
  }),
} as const;

/** The console's read views (issue 12): a task in full, the receivers at a glance, the live event stream. */
const TASK_VIEW_OPERATIONS = {
  getTask: op({
    method: "GET",
    path: "/api/v1/hookline/tasks/{taskId}",
    envelope: true,
    params: taskIdParam,
  }),
  listReceivers: op({ method: "GET", path: "/api/v1/hookline/receivers", envelope: true }),
  // A server-sent event stream, read with any EventSource client: described here, no method of the client.
  taskEvents: op({ method: "GET", path: "/api/v1/hookline/events", envelope: false }),
  // The callback stream `hookline listen --remote` forwards from (server-sent events), and its delivery log.
  callbackStream: op({ method: "GET", path: "/api/v1/hookline/callbacks/stream", envelope: false }),
  reportStreamResult: op({
    method: "POST",
    path: "/api/v1/hookline/callbacks/stream/results",
    envelope: true,
    body: Type.Object({
      messageId: Type.String({ minLength: 1, maxLength: 100 }),
      statusCode: Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), Type.Null()]),
      latencyMs: Type.Integer({ minimum: 0, maximum: 3_600_000 }),
      error: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
      responseExcerpt: Type.String({ maxLength: 4096 }),
      target: opt(Type.String({ maxLength: 2048 })),
      headers: opt(
        Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 2048 }), { maxProperties: 32 }),
      ),
    }),
  }),
  // The console's "send a test callback": the task's latest callback, signed, sent once to another URL.
  testCallback: op({
    method: "POST",
    path: "/api/v1/hookline/tasks/{taskId}/test-callback",
    envelope: true,
    params: taskIdParam,
    body: Type.Object({ url: Type.String({ minLength: 1, maxLength: 2048 }) }),
  }),
} as const;

/**
 * Every operation of the client. The drift test (`test/client/openapi-drift.test.ts`) checks each one against the
 * server's OpenAPI document, except those it lists as pending there (families not merged yet), which it checks to
 * be absent instead.
 */
export const OPERATIONS = {
  ...COMMON_OPERATIONS,
  ...COVER_AND_VOICE_OPERATIONS,
  ...ADMIN_OPERATIONS,
  ...TASK_VIEW_OPERATIONS,
} as const;

/** The name of an operation. */
export type OperationName = keyof typeof OPERATIONS;
