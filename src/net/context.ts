import type { LookupFunction } from "node:net";
import { setImmediate } from "node:timers/promises";
import type { Agent } from "undici";
import type { Clock } from "../lib/clock.js";
import type { AddressPolicy } from "./address-policy.js";
import type { LookupFn } from "./guarded-lookup.js";
import type { Target } from "./target.js";

/** What one outbound client shares between its operations. */
export interface ClientContext {
  /** Callbacks: one undici Agent, one pool of kept-alive sockets, connecting through the guarded connector. */
  readonly agent: Agent;
  /** Downloads (node:http): the guarded `lookup`, so a socket connects only to an address it vetted. */
  readonly lookup: LookupFunction;
  readonly policy: AddressPolicy;
  readonly resolve: LookupFn;
  readonly userAgent: string;
  readonly clock: Clock;
  /** Callback URLs already parsed and found acceptable (bounded; see post.ts). Never mutated once stored. */
  readonly callbackTargets: Map<string, Target>;
}

/**
 * Request headers: lowercased, the caller's first, then a default User-Agent and, when the URL had
 * userinfo and the caller set no Authorization, Basic credentials from it.
 */
export function requestHeaders(
  ctx: ClientContext,
  target: Target,
  given: Record<string, string> = {},
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(given)) headers[k.toLowerCase()] = v;
  headers["user-agent"] ??= ctx.userAgent;
  if (target.authorization !== null) headers.authorization ??= target.authorization;
  return headers;
}

/**
 * Waits one turn of the event loop after a response was read to its end. Both undici and node:http return an
 * idle keep-alive socket to their pool only after the response ended (undici checks it in the check phase); a
 * request sent before that would make the pool open a second socket to the same origin.
 */
export function socketSettled(): Promise<void> {
  return setImmediate();
}
