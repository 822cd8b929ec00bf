/**
 * The routes that belong to no family: the common ones (credits, file downloads, health) and Hookline's own
 * `/hookline/*` API over tasks and their callbacks.
 * @module
 */
export { commonRoutes } from "./common.js";
export { hooklineRoutes } from "./hookline.js";
