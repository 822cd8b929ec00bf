/**
 * Receiving Hookline callbacks: verify both signature schemes, parse each family's body, process each message once,
 * with ready adapters for Node `http`, Express, Fastify and fetch-style frameworks. Also exported by
 * `hookline/client`.
 * @module
 */
export {
  type AdapterOptions,
  expressCallbackMiddleware,
  fastifyCallbackHandler,
  fastifyCallbackPlugin,
  fetchCallbackHandler,
  nodeCallbackListener,
} from "./adapters.js";
export {
  type CallbackContext,
  type CallbackHandler,
  type CallbackHandlerOptions,
  createCallbackHandler,
  type HandlerAnswer,
} from "./handler.js";
export { type HeaderSource, headerOf } from "./headers.js";
export { type ClaimState, type IdempotencyStore, MemoryIdempotencyStore } from "./idempotency.js";
export {
  type Callback,
  type CoverCallback,
  type ParseResult,
  parseCallback,
  type UnknownCallback,
  type VoiceGenerateCallback,
  type VoiceValidateCallback,
  type WavCallback,
} from "./parse.js";
export { openSqliteIdempotencyStore } from "./sqlite-store.js";
export {
  type Scheme,
  taskIdOfBody,
  type VerifyErrorCode,
  type VerifyOptions,
  type VerifyResult,
  verifyCallback,
} from "./verify.js";
