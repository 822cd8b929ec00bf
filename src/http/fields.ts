import { Type } from "@sinclair/typebox";
import { HooklineError } from "../lib/errors.js";

/**
 * Client field spellings (spec 11 #21): accepted on input in every spelling the resellers' docs use; the
 * schemas list them all so that validation still rejects wrong types.
 */
export const callbackFields = {
  callBackUrl: Type.Optional(Type.String({ maxLength: 2048, description: "URL that receives the callback" })),
  callbackUrl: Type.Optional(Type.String({ maxLength: 2048, description: "alias of callBackUrl" })),
  calBackUrl: Type.Optional(
    Type.String({ maxLength: 2048, description: "alias of callBackUrl (reseller spelling)" }),
  ),
};

export const taskIdFields = {
  taskId: Type.Optional(Type.String({ maxLength: 128 })),
  task_id: Type.Optional(Type.String({ maxLength: 128, description: "alias of taskId" })),
};

type Body = Record<string, unknown>;

function pick(body: Body, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = body[name];
    if (typeof value === "string" && value.trim() !== "") return value.trim();
  }
  return undefined;
}

/** The callback URL in any accepted spelling, or null when the client wants to poll only. */
export const callbackUrlOf = (body: Body): string | null =>
  pick(body, ["callBackUrl", "callbackUrl", "calBackUrl"]) ?? null;

export const taskIdOf = (body: Body): string | undefined => pick(body, ["taskId", "task_id"]);

export const audioIdOf = (body: Body): string | undefined => pick(body, ["audioId", "audio_id"]);

/** Throws the 400/422 "field is required" error. */
export function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new HooklineError("bad_request", `${name} is required`);
  return value;
}

/** The query string of the record-info endpoints: `taskId`, or `task_id`. */
export const taskIdQuery = Type.Object({
  taskId: Type.Optional(Type.String({ maxLength: 128 })),
  task_id: Type.Optional(Type.String({ maxLength: 128 })),
});

/** The task id of a record-info query, required. */
export const queryTaskId = (query: unknown): string => required(taskIdOf(query as Body), "taskId");
