/** What a `Range` header asks of a file of a given size. */
export type RangeRequest =
  | { kind: "full" } // no header, an unknown unit, a malformed or multi-range header: answer 200
  | { kind: "unsatisfiable" } // answer 416 with `Content-Range: bytes */size`
  | { kind: "partial"; start: number; end: number }; // inclusive bounds, answer 206

const SPEC_RE = /^(\d*)-(\d*)$/;

/**
 * Parses a single byte range (RFC 9110 14.1): `bytes=a-b`, `bytes=a-`, `bytes=-n`.
 * A malformed header is ignored (a full answer), as the RFC asks; several ranges are answered
 * in full too, which the RFC allows and which spares us multipart/byteranges.
 *
 * @example
 * parseRange("bytes=-500", 1000) // { kind: "partial", start: 500, end: 999 }
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: "full" };
  const eq = header.indexOf("=");
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== "bytes") return { kind: "full" };
  const spec = header.slice(eq + 1).trim();
  if (spec.includes(",")) return { kind: "full" };
  const m = SPEC_RE.exec(spec);
  if (m === null) return { kind: "full" };
  const [, first = "", last = ""] = m;
  if (first === "" && last === "") return { kind: "full" };

  if (first === "") {
    const suffix = toInt(last);
    if (suffix === null) return { kind: "full" };
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
  }

  const start = toInt(first);
  const end = last === "" ? size - 1 : toInt(last);
  if (start === null || end === null) return { kind: "full" };
  if (last !== "" && end < start) return { kind: "full" };
  if (start >= size) return { kind: "unsatisfiable" };
  return { kind: "partial", start, end: Math.min(end, size - 1) };
}

function toInt(digits: string): number | null {
  const n = Number(digits);
  // Beyond 2^53 arithmetic is unsafe; such a header is treated as malformed.
  return Number.isSafeInteger(n) ? n : null;
}
