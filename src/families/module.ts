import type { RouteModule, WebhookDoc } from "../http/index.js";
import type { Services } from "../services/index.js";
import type { Family } from "../tasks/index.js";

/** A job family as the application sees it: its engine side and its routes. */
export interface FamilyModule {
  readonly family: Family;
  readonly routes: RouteModule;
  /** Its callbacks, as the reference's OpenAPI `webhooks` (keyed by their name there). */
  readonly webhooks: Readonly<Record<string, WebhookDoc>>;
}

export type FamilyFactory = (services: Services) => FamilyModule;
