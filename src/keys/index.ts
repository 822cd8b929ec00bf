/**
 * API keys: each key is a tenant (spec 12.3, DESIGN invariant 7), with its webhook HMAC key.
 * @module
 */
export { balanceOf, creditBalanceBack, debitBalance, setBalance } from "./balance.js";
export { createKeyCache, type KeyCache } from "./cache.js";
export {
  authenticate,
  createKey,
  findKey,
  hashKey,
  type KeyInfo,
  listKeys,
  liveKeyById,
  revokeKey,
  rotateWebhookKey,
  setHmac,
  setRateLimit,
  setSimulation,
} from "./keys.js";
export type { SigningRow } from "./signing.js";
