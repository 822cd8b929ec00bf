import type { Services } from "../../app/services.js";
import type { HooklineError } from "../../lib/errors.js";
import type { Task } from "../../tasks/index.js";

/**
 * THE place where credits (spec 12.3) settle a failed cover job. Credits do not exist yet: with them, a paid job
 * that fails here is refunded and this answers `true`, which makes the callback and record code 531 ("generation
 * failed, credits refunded, retry", spec 5.3). Until then nothing is charged, so nothing is refunded.
 *
 * Called once per failed run, before the failure outcome is built (not for crashes the engine reports through
 * `Family.failed`). Whether a refund applies to every failure or only to generation failures is the credits
 * design's call; `error.code` tells which kind this is.
 */
export async function refundFailedCover(
  _services: Services,
  _task: Task,
  _error: HooklineError,
): Promise<boolean> {
  return false;
}
