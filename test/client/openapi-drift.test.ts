/**
 * The SDK and the server cannot drift apart: every SDK operation (method, path, request field names, types and
 * required-ness) must be in the server's own OpenAPI document, and every operation of the document must be covered
 * by the SDK. The document comes from the real app built in-process.
 *
 * Operations of families not merged yet are listed in PENDING_FAMILY_OPERATIONS and checked the other way round:
 * each must be ABSENT from today's document. When a family lands this test fails on purpose: remove its entries
 * from the list, and this test then reconciles the shapes the SDK wrote from the spec with the server's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATIONS, type Operation, type OperationName } from "../../src/client/index.js";
import { startTestHookline, type TestHookline } from "../helpers/hookline.js";

/** SDK operations written from the spec for families not served yet (none today: every family has landed). */
const PENDING_FAMILY_OPERATIONS: readonly OperationName[] = [];

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  const?: unknown;
  enum?: unknown[];
  nullable?: boolean;
}
interface DocOperation {
  parameters?: { in: string; name: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
type Doc = { paths: Record<string, Record<string, DocOperation>> };

/** `/a/{taskId}/b` and Fastify's `/a/{*}` both become `/a/{}/b`, `/a/{}`. */
const shape = (path: string) => path.replace(/\{[^}]+\}/g, "{}");

/**
 * A schema's JSON type; a union of constants counts as the constants' type with their values, so that a value one
 * side allows and the other does not is a drift too. The document may spell a constant `{const}` or, as OpenAPI
 * 3.0 has no `const`, `{enum: [value]}`. A value that may be null is "T or null" whether it is spelled as OpenAPI 3.0
 * does (`{type, nullable: true}`, the SDK's spelling) or as 3.1 does (`anyOf: [{type}, {type: "null"}]`, the
 * document's since it became 3.1).
 */
function typeOf(s: Schema | undefined): string {
  if (!s) return "missing";
  if (s.type) return s.nullable ? `${s.type} or null` : s.type;
  const other = s.anyOf?.filter((a) => a.type !== "null");
  if (s.anyOf && other && other.length === 1 && other.length < s.anyOf.length)
    return `${typeOf(other[0])} or null`;
  const values = s.anyOf?.map((a) => (a.const !== undefined ? a.const : a.enum?.[0]));
  if (values && values.length > 0 && values.every((v) => v !== undefined && typeof v === typeof values[0])) {
    return `${typeof values[0]} one of ${JSON.stringify(values.map(String).sort())}`;
  }
  return JSON.stringify(s);
}

function find(doc: Doc, op: Operation): DocOperation | undefined {
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (shape(path) === shape(op.path)) return methods[op.method.toLowerCase()];
  }
  return undefined;
}

/** What differs between an SDK operation's inputs and the document's. */
function differences(name: string, op: Operation, d: DocOperation): string[] {
  const out: string[] = [];
  const sdkRequired = (s: Schema) => new Set(s.required ?? []);
  if (op.body) {
    const doc = d.requestBody?.content?.["application/json"]?.schema;
    if (!doc) return [`${name}: the document has no JSON body`];
    const mine = op.body as unknown as Schema;
    for (const [field, schema] of Object.entries(mine.properties ?? {})) {
      const theirs = doc.properties?.[field];
      if (!theirs) out.push(`${name}: body field ${field} is not in the document`);
      else if (typeOf(theirs) !== typeOf(schema))
        out.push(
          `${name}: body field ${field} is ${typeOf(schema)} in the SDK, ${typeOf(theirs)} in the document`,
        );
    }
    for (const field of doc.required ?? []) {
      if (!sdkRequired(mine).has(field)) out.push(`${name}: the document requires body field ${field}`);
    }
  }
  for (const where of ["query", "path"] as const) {
    const mine = (where === "query" ? op.query : op.params) as unknown as Schema | undefined;
    const theirs = (d.parameters ?? []).filter((p) => p.in === where);
    for (const [field, schema] of Object.entries(mine?.properties ?? {})) {
      const p = theirs.find((x) => x.name === field);
      // Path parameters are matched by position (Fastify names a wildcard `*`).
      if (where === "path") continue;
      if (!p) out.push(`${name}: query field ${field} is not in the document`);
      else if (typeOf(p.schema) !== typeOf(schema)) out.push(`${name}: query field ${field} type differs`);
    }
    if (where === "path" && Object.keys(mine?.properties ?? {}).length !== theirs.length) {
      out.push(`${name}: ${theirs.length} path parameters in the document`);
    }
    for (const p of theirs) {
      if (where === "query" && p.required && !sdkRequired(mine ?? {}).has(p.name))
        out.push(`${name}: the document requires query field ${p.name}`);
    }
  }
  return out;
}

describe("SDK ↔ OpenAPI document", () => {
  let h: TestHookline;
  let doc: Doc;
  beforeAll(async () => {
    h = await startTestHookline({ roles: { api: true, runner: false, sender: false } });
    doc = (await (await fetch(`${h.url}/openapi.json`)).json()) as Doc;
  });
  afterAll(() => h.stop());

  const entries = Object.entries(OPERATIONS) as [OperationName, Operation][];

  it("every SDK operation is in the document, with the same request fields, types and required fields", () => {
    const problems: string[] = [];
    for (const [name, op] of entries) {
      if (PENDING_FAMILY_OPERATIONS.includes(name)) continue;
      const d = find(doc, op);
      if (!d) problems.push(`${name}: ${op.method} ${op.path} is not in the document`);
      else problems.push(...differences(name, op, d));
    }
    expect(problems).toEqual([]);
  });

  it("every operation of the document is covered by the SDK", () => {
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        const covered = entries.some(
          ([, op]) => op.method.toLowerCase() === method && shape(op.path) === shape(path),
        );
        if (!covered) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("PENDING_FAMILY_OPERATIONS are SDK operations still absent from the document (remove an entry when its family lands)", () => {
    for (const name of PENDING_FAMILY_OPERATIONS) {
      const op = OPERATIONS[name];
      expect(op, `${name} is not an SDK operation`).toBeDefined();
      expect(
        find(doc, op),
        `${name} (${op.method} ${op.path}) is served now: remove it from PENDING_FAMILY_OPERATIONS and reconcile`,
      ).toBeUndefined();
    }
  });

  it("the checker itself notices a drift", () => {
    const wav = find(doc, OPERATIONS.wavGenerate)!;
    const drifted = { ...OPERATIONS.wavGenerate, body: { properties: { audioID: { type: "string" } } } };
    expect(differences("x", drifted as unknown as Operation, wav)).toEqual([
      "x: body field audioID is not in the document",
    ]);
    const typed = { ...OPERATIONS.downloadUrl, body: { properties: { url: { type: "number" } } } };
    const d = find(doc, OPERATIONS.downloadUrl)!;
    expect(differences("y", typed as unknown as Operation, d)).toEqual([
      "y: body field url is number in the SDK, string in the document",
      "y: the document requires body field url",
    ]);
    const update = find(doc, OPERATIONS.adminUpdateKey)!;
    const notNull = { ...OPERATIONS.adminUpdateKey, body: { properties: { credits: { type: "integer" } } } };
    expect(differences("z", notNull as unknown as Operation, update)).toEqual([
      "z: body field credits is integer in the SDK, integer or null in the document",
    ]);
  });
});
