import { type TSchema, Type } from "@sinclair/typebox";
import type { RouteOptions } from "fastify";
import { SIMULATE_HEADER, SIMULATED_CODES } from "../simulation/index.js";

/**
 * The shared pieces of the OpenAPI reference (`/docs`, `/openapi.json`): tags, the envelopes, the error answers,
 * the simulation header and the access of each route. Response schemas document; they do not serialize (buildApp
 * serializes with JSON.stringify), because in the default mode an error travels with HTTP 200 as well, and a
 * serializer picked by status would drop its fields. test/api/openapi-reference.test.ts validates real answers
 * against these schemas instead.
 */

/** The tags of the reference, in the order the docs show them. */
export const TAGS = [
  {
    name: "Uploads",
    description: "File uploads (spec 7.1): by URL, base64 or multipart. Audio becomes a source track.",
  },
  {
    name: "Music/Tracks",
    description: "Source tracks: the music task an upload makes, and registering one by hand (spec 12.1).",
  },
  { name: "WAV", description: "WAV conversion of a source track (spec 4); callback `wavCallback`." },
  { name: "Cover", description: "Two cover images for a music task (spec 5); callback `coverCallback`." },
  {
    name: "Voice",
    description:
      "Custom voice (spec 6): validate, phrase, generate; callbacks `voiceValidateCallback`, `voiceGenerateCallback`.",
  },
  { name: "Files", description: "Signed download links of what Hookline produced, and deleting an upload." },
  { name: "Credits", description: "The key's remaining credits (spec 7.2)." },
  {
    name: "Tasks & deliveries (Hookline)",
    description:
      "Hookline's additions: the key's tasks, their callback deliveries, redelivery, test sends, receivers and the live event stream.",
  },
  { name: "Voices (Hookline)", description: "Hookline's additions: the key's voices." },
  {
    name: "Admin",
    description:
      "The operator's API over keys: needs the admin token (`HOOKLINE_ADMIN_TOKEN`), not an API key.",
  },
  { name: "Health", description: "Liveness and readiness: no key needed." },
] as const;

export type TagName = (typeof TAGS)[number]["name"];

/** A value or null. */
export const Nullable = <S extends TSchema>(schema: S) => Type.Union([schema, Type.Null()]);

const ERROR_MEANINGS: Readonly<Record<number, string>> = {
  400: "Invalid parameters or a request the task's state refuses (kie dialect: 422 for invalid parameters)",
  401: "Missing or unknown key",
  402: "Insufficient credits (kie dialect; sunoapi: 429)",
  404: "Not found, or another key's",
  409: "A record exists already",
  413: "Request or result too large (kie dialect: 422)",
  422: "Invalid parameters (kie dialect)",
  429: "Insufficient credits (sunoapi dialect) or rate limited (kie dialect)",
  430: "Rate limited (sunoapi dialect)",
  451: "The source could not be fetched",
  455: "Service unavailable (storage)",
  500: "Unexpected server error",
};

/** The envelope of every error: `code` ≥ 400 (spec 1.3, 2.1), `data` null or the error's extra fields. */
function errorEnvelope(upload = false) {
  return Type.Object({
    ...(upload ? { success: Type.Literal(false) } : {}),
    code: Type.Integer({ minimum: 400, maximum: 599, description: "the error's code (spec 2.1)" }),
    msg: Type.String({ description: "why" }),
    data: Nullable(Type.Object({}, { additionalProperties: true })),
  });
}

/**
 * The error envelopes as shared schemas (`app.addSchema`), shown once under `components.schemas` and referenced by
 * every route: written out per route and status they made most of the document.
 */
export const SHARED_SCHEMAS = [
  { $id: "ErrorEnvelope", title: "ErrorEnvelope", ...errorEnvelope() },
  { $id: "UploadErrorEnvelope", title: "UploadErrorEnvelope", ...errorEnvelope(true) },
];

const errorRef = (upload = false) =>
  Type.Unsafe<unknown>({ $ref: upload ? "UploadErrorEnvelope#" : "ErrorEnvelope#" });

/** The error envelope of the routes that are not JSON on success (the event stream). */
export const ErrorAnswer = errorRef();

/** `{ code: 200, msg, data }` around a route's data. */
function okEnvelope<S extends TSchema>(data: S, upload = false) {
  return Type.Object({
    ...(upload ? { success: Type.Literal(true) } : {}),
    code: Type.Literal(200),
    msg: Type.String(),
    data,
  });
}

/** What `answers` is told besides the data. */
export interface AnswerOptions {
  /** The error codes the route may answer, each also listed as an HTTP status (mirror mode). */
  readonly errors?: readonly number[];
  /** The upload endpoints' envelope, with `success` (spec 7.1). */
  readonly upload?: boolean;
}

const COMMON_ERRORS = [400, 401, 422, 429, 430, 500];

/**
 * A route's `response` schemas: HTTP 200 with the success envelope or, in the default mode, an error envelope;
 * and each error code as its own HTTP status, as it is answered with `HOOKLINE_HTTP_STATUS_MIRRORS_CODE=on`.
 *
 * @example
 * schema: { response: answers(Type.Object({ taskId: Type.String() }), "The task is queued", { errors: [404] }) }
 */
export function answers(data: TSchema, description: string, opts: AnswerOptions = {}) {
  const codes = [...new Set([...COMMON_ERRORS, ...(opts.errors ?? [])])].sort((a, b) => a - b);
  const response: Record<string, TSchema> = {
    200: Type.Union([okEnvelope(data, opts.upload), errorRef(opts.upload)], {
      description: `${description}. Envelope code 200 with \`data\`; unless HOOKLINE_HTTP_STATUS_MIRRORS_CODE is on, errors also come with HTTP 200, as an error envelope (\`code\` ≥ 400).`,
    }),
  };
  for (const code of codes) {
    response[code] = Type.Unsafe<unknown>({
      ...errorRef(opts.upload),
      description: `${ERROR_MEANINGS[code] ?? "Error"} (this HTTP status with HOOKLINE_HTTP_STATUS_MIRRORS_CODE=on; otherwise HTTP 200 and envelope code ${code})`,
    });
  }
  return response;
}

/** The `Hookline-Simulate` request header of the task-creating routes (README "Failure simulation"). */
export const simulateHeader = Type.Object({
  [SIMULATE_HEADER]: Type.Optional(
    Type.String({
      description: `Failure simulation for this request, e.g. \`fail=501, delay=5, duplicate=2, bad-signature\`; \`off\` runs it for real even if the key simulates. fail=CODE ends the task failed with CODE (${SIMULATED_CODES.join(", ")}) without doing the work; delay=SECONDS (≤ 3600) waits first; duplicate=N (1–5) delivers the callback N more times with the same webhook-id; bad-signature signs the callback with a random key. Refused (400/422) on a server started with HOOKLINE_SIMULATION=off.`,
    }),
  ),
});

/**
 * Marks a route's access in the reference from its auth config: public routes need no key, admin routes the admin
 * token, the rest an API key (the document's default). Run from an `onRoute` hook, before the route is built.
 */
export function documentAccess(route: RouteOptions): void {
  const config = route.config as { public?: boolean; admin?: boolean } | undefined;
  if (!route.schema || route.schema.hide) return;
  if (config?.public) route.schema = { ...route.schema, security: [] };
  else if (config?.admin) route.schema = { ...route.schema, security: [{ adminToken: [] }] };
}

/** The security schemes: an API key, and the operator's admin token, both as Bearer tokens. */
export const SECURITY_SCHEMES = {
  bearer: {
    type: "http",
    scheme: "bearer",
    description: "An API key (`hk_…`): `Authorization: Bearer <key>` (spec 1.2)",
  },
  adminToken: {
    type: "http",
    scheme: "bearer",
    description: "The operator's admin token (HOOKLINE_ADMIN_TOKEN): `Authorization: Bearer <token>`",
  },
} as const;
