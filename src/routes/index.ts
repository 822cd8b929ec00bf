/**
 * The routes that belong to no family: the common ones (credits, file downloads, health, metrics) and Hookline's own
 * `/hookline/*` API over tasks and their callbacks.
 * @module
 */
export { adminRoutes } from "./admin.js";
export { callbackStreamRoutes } from "./callback-stream.js";
export { commonRoutes } from "./common.js";
export { consoleRoutes } from "./console.js";
export { hooklineRoutes } from "./hookline.js";
export { metricsRoutes } from "./metrics.js";
export { testCallbackRoute } from "./test-callback.js";
