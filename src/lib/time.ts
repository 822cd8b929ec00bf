/** `YYYY-MM-DD HH:mm:ss` in UTC: the WAV and music records' time format (spec 1.4). */
export function wireTime(ms: number | null): string | null {
  if (ms === null) return null;
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

/** ISO 8601 with `Z`: the cover records' time format. */
export const isoTime = (ms: number | null): string | null =>
  ms === null ? null : new Date(ms).toISOString();
