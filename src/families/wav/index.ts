/**
 * The WAV family (spec 4): a source track becomes a PCM WAV behind a signed, expiring URL.
 * @module
 */
import type { Services } from "../../services/index.js";
import type { FamilyModule } from "../module.js";
import { wavWebhook } from "./payload.js";
import { createWavFamily } from "./processor.js";
import { wavRoutes } from "./routes.js";

export { WAV_FAILURE_CODES, WAV_STATUS, wavCallbackBody } from "./payload.js";
export { wavRecord } from "./record.js";

export const wavModule = (services: Services): FamilyModule => ({
  family: createWavFamily(services),
  routes: wavRoutes,
  webhooks: { wavCallback: wavWebhook },
});
