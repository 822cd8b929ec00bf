/**
 * The cover family (spec 5): for a music task, two PNG covers of different styles made from the track itself
 * (analysis → palette, composition, title in type), or by an external image service when one is configured;
 * stored behind signed, expiring URLs.
 * @module
 */
import type { Services } from "../../services/index.js";
import type { FamilyModule } from "../module.js";
import { coverWebhook } from "./payload.js";
import { createCoverFamily } from "./processor.js";
import { coverRoutes } from "./routes.js";

export { type CoverText, composeCovers, coverLayouts, paletteFor, renderCovers } from "./art.js";
export { COVER_FAILURE_CODES, COVER_STATUS, coverCallbackBody, SUCCESS_FLAG } from "./payload.js";
export { coverPrompt } from "./prompt.js";
export { coverRecord } from "./record.js";
export { STYLES } from "./styles/index.js";

export const coverModule = (services: Services): FamilyModule => ({
  family: createCoverFamily(services),
  routes: coverRoutes,
  webhooks: { coverCallback: coverWebhook },
});
