import type { ErrorCode, HooklineError } from "../lib/errors.js";
import { simulatedCode } from "../simulation/index.js";

/**
 * The callback and record code a family gives a failed task: the code a simulated failure asked for, else the
 * family's own code for the error (its table of spec 11), else `otherwise`.
 *
 * @example
 * failureCode(error, { source_unavailable: 451, conversion_failed: 501 }, 500);
 */
export function failureCode(
  error: HooklineError,
  codes: Readonly<Partial<Record<ErrorCode, number>>>,
  otherwise: number,
): number {
  return simulatedCode(error) ?? codes[error.code] ?? otherwise;
}

/**
 * Every code a family's failed callback can carry (simulated failures aside): its table's codes and the others it
 * falls back to, ascending. What `hookline trigger` offers as sample failures.
 *
 * @example
 * callbackFailureCodes({ source_unavailable: 451 }, 500); // [451, 500]
 */
export function callbackFailureCodes(
  codes: Readonly<Partial<Record<ErrorCode, number>>>,
  ...others: number[]
): readonly number[] {
  return [...new Set([...Object.values(codes), ...others])].sort((a, b) => a - b);
}
