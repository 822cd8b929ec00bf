/**
 * Callback delivery: the outbox, the sender, signatures, the retry policy and the attempt log.
 * @module
 */
export { listAttempts, listMessages, removeDeliveries } from "./log.js";
export { requeueLatest } from "./outbox.js";
export { type Decision, decide, type RetryPolicy } from "./policy.js";
export { createSender, type Sender, type SenderOptions } from "./sender.js";
export { resellerSignature, signatureHeaders, standardSignature, webhookSecretBytes } from "./signing.js";
