import type { FastifyReply } from "fastify";
import { apiCodeFor, type CodeDialect, HooklineError } from "../lib/errors.js";

/**
 * A request body that is not JSON at all. Spec 13 fixes its envelope code at 400 in both dialects (kie's 422 is
 * for bodies that parse but fail the schema), so it cannot go through the dialect table of `apiCodeFor`.
 */
export class MalformedBodyError extends HooklineError {
  constructor(message = "Malformed JSON body") {
    super("bad_request", message);
    this.name = "MalformedBodyError";
  }
}

/** How envelope codes become HTTP statuses (spec 1.3): HTTP 200 always, unless the operator asked for mirroring. */
export interface EnvelopeOptions {
  readonly dialect: CodeDialect;
  readonly mirror: boolean;
}

function httpStatus(code: number, opts: EnvelopeOptions): number {
  return opts.mirror && code >= 200 && code <= 599 ? code : 200;
}

/** `{ code: 200, msg: "success", data }`. */
export function sendOk(reply: FastifyReply, data: unknown, extra?: Record<string, unknown>) {
  return reply.code(200).send({ ...extra, code: 200, msg: "success", data });
}

/** The envelope of an error, with the code of the configured dialect. */
export function errorEnvelope(error: HooklineError, opts: EnvelopeOptions) {
  const code = error instanceof MalformedBodyError ? 400 : apiCodeFor(error.code, opts.dialect);
  return { status: httpStatus(code, opts), body: { code, msg: error.message, data: error.data } };
}

export function sendError(
  reply: FastifyReply,
  error: HooklineError,
  opts: EnvelopeOptions,
  extra?: Record<string, unknown>,
) {
  const { status, body } = errorEnvelope(error, opts);
  return reply.code(status).send({ ...extra, ...body });
}
