/**
 * The HTTP server: request limits, envelope, error mapping, auth, OpenAPI; routes come from the families and
 * from src/routes, which import this folder's helpers (never the other way round).
 * @module
 */
export { answerWanted, settleAbort } from "./aborts.js";
export { buildApp, fromFastifyError, type RouteModule } from "./app.js";
export { cookieSession, fromSameOrigin, keyOf, SESSION_COOKIE } from "./auth.js";
export { errorEnvelope, sendError, sendOk } from "./envelope.js";
export {
  audioIdOf,
  callbackFields,
  callbackUrlOf,
  queryTaskId,
  required,
  taskIdFields,
  taskIdOf,
  taskIdQuery,
} from "./fields.js";
export {
  type AnswerOptions,
  answers,
  ErrorAnswer,
  Nullable,
  simulateHeader,
  type TagName,
} from "./reference.js";
export { simulationOf } from "./simulation.js";
export { callbackBody, callbackWebhook, type WebhookDoc } from "./webhooks.js";
