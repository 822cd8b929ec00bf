/**
 * The application: builds the shared services and starts the API, runner, sender and sweeper.
 * @module
 */
export type { Services } from "../services/index.js";
export {
  openServices,
  type Running,
  runnerOptions,
  type StartOptions,
  StartupError,
  senderOptions,
  startHookline,
} from "./start.js";
export { startSweeper } from "./sweeper.js";
