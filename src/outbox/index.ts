/**
 * The outbox: callback messages and the log of their attempts (the `messages` and `attempts` tables, written only
 * here). A task's outcome enqueues its message; the sender claims, renews, gives back and records; the API lists,
 * requeues and removes.
 * @module
 */
export {
  type AttemptRecord,
  type MovedTask,
  type RoundTrigger,
  recordStreamAttempt,
  type StreamAttempt,
  writeAttempts,
} from "./attempts.js";
export {
  type ClaimedMessage,
  claimMessages,
  type HostRoom,
  type MessageRow,
  releaseMessages,
  renewMessageLeases,
} from "./claims.js";
export { type CallbackSpec, enqueueMessage } from "./enqueue.js";
export { latestMessage } from "./latest.js";
export { listAttempts, listMessages, removeMessagesOfTask } from "./log.js";
export { type ReceiverStats, receiverStats } from "./receivers.js";
export { type Requeued, requeueDelivered, requeueLatest } from "./requeue.js";
export {
  boundedReplayStart,
  messagesOfOwnerAfter,
  type StreamCursor,
  type StreamedMessage,
} from "./stream.js";
export {
  attemptsOfOwnerBetween,
  CALLBACK_STATES,
  type CallbackState,
  callbackStates,
  lastAttemptId,
  latestCallbackStateIs,
} from "./views.js";
