import { chargeOf } from "../../credits/index.js";
import type { Task } from "../../tasks/index.js";

/**
 * Whether a failed cover job is refunded (spec 5.3, 12.3): a paid job (its key had a balance, so the submission
 * was charged) gets its credits back with the failure, and the callback and record then answer 531 ("generation
 * failed, credits refunded, retry") whatever the cause. A free job keeps the code of its cause.
 */
export function refundsOnFailure(task: Task): boolean {
  return chargeOf(task.input) > 0;
}
