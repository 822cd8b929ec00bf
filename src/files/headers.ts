import { createHash } from "node:crypto";

/** Replaces lone UTF-16 surrogates with U+FFFD, since `encodeURIComponent` throws on them. */
export function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/**
 * `Content-Disposition` for any file name (RFC 6266): an ASCII `filename` fallback in which
 * quotes, backslashes, `%` and non-ASCII become `_`, plus the exact name as RFC 8187 `filename*`.
 * Control characters are dropped first, so a name can never split the header.
 *
 * @example
 * contentDisposition('my "mix".wav')
 * // attachment; filename="my _mix_.wav"; filename*=UTF-8''my%20%22mix%22.wav
 */
export function contentDisposition(fileName: string): string {
  const name =
    [...wellFormed(fileName)]
      .filter((ch) => {
        const c = ch.codePointAt(0) ?? 0;
        return c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c <= 0x9f);
      })
      .join("") || "download";
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  // encodeURIComponent leaves ' ( ) * alone, but RFC 8187 attr-chars do not include them.
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

const TOKEN = "[A-Za-z0-9!#$&^_.+-]+";
const MIME_RE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=${TOKEN})*$`);

/** The stored MIME type when it is a well-formed header value, else `application/octet-stream`. */
export function safeContentType(mimeType: string): string {
  return MIME_RE.test(mimeType) ? mimeType : "application/octet-stream";
}

/** A strong ETag from the file id and size: a file id never changes content, so this is enough. */
export function etagFor(fileId: string, size: number): string {
  return `"${createHash("sha256").update(`${fileId}:${size}`).digest("base64url").slice(0, 27)}"`;
}

/** Whether an `If-None-Match` header matches `etag` (weak comparison, as RFC 9110 asks for it). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}
