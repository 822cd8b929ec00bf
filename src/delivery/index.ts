/**
 * Callback delivery: the sender, signatures, the retry policy and the attempt log.
 * @module
 */

export { type AttemptOptions, attemptHeaders, CALLBACK_HEADERS } from "./attempt.js";
export { type Decision, decide, type RetryPolicy } from "./policy.js";
export { createSender, type Sender, type SenderExtension, type SenderOptions } from "./sender.js";
export { resellerSignature, signatureHeaders, standardSignature, webhookSecretBytes } from "./signing.js";
export { sendTest, type TestSend } from "./test-send.js";
