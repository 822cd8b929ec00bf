/**
 * A streamed `multipart/form-data` body: text fields, then one file part whose bytes come from a path, a Node
 * stream, a buffer or a Blob without being read whole into memory (uploads go up to 100 MB).
 */
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { basename } from "node:path";

/** Where the bytes of an upload come from. */
export type UploadSource =
  | { path: string }
  | { stream: AsyncIterable<Uint8Array | string> }
  | { buffer: Uint8Array }
  | { blob: Blob };

/** The file name sent in the file part (the server keeps the extension for random names). */
export function sourceName(source: UploadSource, given?: string): string {
  if (given) return given;
  if ("path" in source) return basename(source.path);
  return "upload.bin";
}

async function* bytesOf(source: UploadSource): AsyncGenerator<Uint8Array> {
  if ("buffer" in source) {
    yield source.buffer;
  } else if ("blob" in source) {
    for await (const chunk of source.blob.stream() as unknown as AsyncIterable<Uint8Array>) yield chunk;
  } else {
    const stream = "path" in source ? createReadStream(source.path) : source.stream;
    for await (const chunk of stream) yield typeof chunk === "string" ? Buffer.from(chunk) : chunk;
  }
}

/** Quotes a header parameter value the way browsers do for form parts. */
const quote = (s: string) => s.replace(/"/g, "%22").replace(/\r|\n/g, " ");

/**
 * The multipart body and its content type. Fields come first so that the server knows `uploadPath` before the
 * file arrives.
 */
export function multipartBody(
  fields: Record<string, string | undefined>,
  source: UploadSource,
  fileName: string,
): { body: AsyncIterable<Uint8Array>; contentType: string } {
  const boundary = `----hookline${randomBytes(12).toString("hex")}`;
  async function* generate(): AsyncGenerator<Uint8Array> {
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      yield Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`,
      );
    }
    yield Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quote(fileName)}"\r\n` +
        "Content-Type: application/octet-stream\r\n\r\n",
    );
    yield* bytesOf(source);
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  return { body: generate(), contentType: `multipart/form-data; boundary=${boundary}` };
}
