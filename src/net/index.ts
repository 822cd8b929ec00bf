/**
 * The guarded outbound HTTP client (DESIGN invariant 4): callbacks and source downloads reach only
 * public addresses, or those that configuration opens.
 */
export type { AddressClass, OutboundPolicy } from "./address-policy.js";
export { classifyAddress } from "./address-policy.js";
export type { DownloadOptions, DownloadResult } from "./download.js";
export type { LookupFn, ResolvedAddress } from "./guarded-lookup.js";
export type { ErrorClass } from "./network-errors.js";
export type { Outbound, OutboundOptions } from "./outbound.js";
export { createOutbound } from "./outbound.js";
export type { PostOptions, PostResult } from "./post.js";
export { observeRefusals, type Refusal, refusalOf } from "./refusals.js";
