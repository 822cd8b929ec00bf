/**
 * The HTTP server: request limits, envelope, error mapping, auth, OpenAPI; routes come from the families and
 * common modules.
 * @module
 */
export { settleAbort } from "./aborts.js";
export { buildApp, fromFastifyError, type RouteModule } from "./app.js";
export { keyOf } from "./auth.js";
export { commonRoutes } from "./common-routes.js";
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
export { hooklineRoutes } from "./hookline-routes.js";
export { simulationOf } from "./simulation.js";
