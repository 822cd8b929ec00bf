/**
 * API keys: each key is a tenant (spec 12.3, DESIGN invariant 7), with its webhook HMAC key.
 * @module
 */
export { balanceOf, creditBalanceBack, debitBalance, setBalance } from "./balance.js";
export { createKeyCache, type KeyCache } from "./cache.js";
export type { KeyInfo, KeyRef } from "./info.js";
export {
  authenticate,
  createKey,
  findKey,
  getKey,
  hashKey,
  listKeys,
  liveKeyById,
  revokeKey,
  rotateWebhookKey,
  setHmac,
  setRateLimit,
  setSimulation,
} from "./keys.js";
export { MAX_NAME_LENGTH } from "./names.js";
export { renameKey } from "./rename.js";
export type { SigningRow } from "./signing.js";
