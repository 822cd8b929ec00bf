/** Reading headers the same way whatever shape a framework gives them in. */

/** Headers as Node (`IncomingHttpHeaders`), the web (`Headers`) or a plain object give them. */
export type HeaderSource =
  | Headers
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** One header's value, case-insensitively; repeated headers are joined with ", " as HTTP says. */
export function headerOf(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = record[key];
    return typeof value === "string" ? value : value?.join(", ");
  }
  return undefined;
}

/** The bytes of a body given as text or bytes. */
export function bodyBytes(body: string | Uint8Array): Buffer {
  return typeof body === "string"
    ? Buffer.from(body, "utf8")
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
