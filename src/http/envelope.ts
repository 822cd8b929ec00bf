import type { FastifyReply } from "fastify";
import { apiCodeFor, type CodeDialect, type HooklineError } from "../lib/errors.js";

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
  const code = apiCodeFor(error.code, opts.dialect);
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
