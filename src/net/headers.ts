/** Response headers by lowercased name, as node:http and undici both give them. */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** The first value of a response header, or null. */
export function headerValue(headers: ResponseHeaders, name: string): string | null {
  const v = headers[name];
  if (Array.isArray(v)) return v[0] ?? null;
  return v ?? null;
}

/**
 * Parses Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP date, as milliseconds from `nowMs`.
 * A date in the past gives 0; anything else unparsable gives null.
 *
 * @example
 * parseRetryAfter("120", now) // 120_000
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Date.parse also accepts things like "5" or "2024"; require a weekday-led IMF/RFC 850/asctime date.
  if (!/^[A-Za-z]{3,9},? /.test(v)) return null;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

function cleanName(name: string): string | null {
  // Only a hint: keep the last path segment and drop control characters so it cannot steer a path.
  const last = name.split(/[/\\]/).pop() ?? "";
  const printable = [...last].filter((c) => {
    const n = c.codePointAt(0) ?? 0;
    return n >= 0x20 && n !== 0x7f;
  });
  const clean = printable.join("").trim().slice(0, 255);
  return clean === "" || clean === "." || clean === ".." ? null : clean;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A file name for a download: Content-Disposition's `filename*` (RFC 6266/8187) or `filename`,
 * else the last segment of the URL path; null when neither gives one.
 */
export function fileNameHint(contentDisposition: string | null, url: URL): string | null {
  if (contentDisposition !== null) {
    const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(contentDisposition);
    if (star?.[2] !== undefined) {
      const name = cleanName(safeDecode(star[2].trim()));
      if (name !== null) return name;
    }
    const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(contentDisposition);
    const raw = plain?.[1]?.replace(/\\(.)/g, "$1") ?? plain?.[2];
    if (raw !== undefined) {
      const name = cleanName(raw);
      if (name !== null) return name;
    }
  }
  const segment = url.pathname.split("/").pop() ?? "";
  return cleanName(safeDecode(segment));
}
