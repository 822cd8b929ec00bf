/**
 * Per-key rate limits (spec 12.3: 430 in the sunoapi dialect, 429 in kie), counted in the database so that they
 * hold across processes.
 * @module
 */
export { hitRate, pruneRates, type RateVerdict } from "./window.js";
