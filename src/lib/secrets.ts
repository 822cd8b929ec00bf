import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares a given secret with the expected one in constant time, whatever their lengths: both are hashed first,
 * so neither the comparison's time nor an early length check says how much of a guess was right.
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
