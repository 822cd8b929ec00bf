import type { Static, TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { HooklineError } from "../lib/errors.js";

/**
 * A task's stored input or result, checked against the family's schema as it is read: the database holds JSON
 * that older versions wrote too, so its shape is checked here rather than assumed. Fields the schema does not
 * name (such as the credits a submission was charged) are allowed and kept.
 *
 * @example
 * const input = readStored(CoverInput, task.input, "cover input");
 */
export function readStored<S extends TSchema>(schema: S, value: unknown, what: string): Static<S> {
  if (Value.Check(schema, value)) return value;
  const first = Value.Errors(schema, value).First();
  const where = first ? ` (${first.path || "/"}: ${first.message})` : "";
  throw new HooklineError("internal", `The stored ${what} does not have the expected shape${where}`);
}
