import type { Multipart } from "@fastify/multipart";
import { HooklineError } from "../lib/errors.js";
import type { Services } from "../services/index.js";
import { discardTemp, type Stored } from "./ingest.js";
import { checkFileName, checkUploadPath } from "./names.js";

/** A stream upload's form, read to its end: the stored file and its checked names. */
export interface UploadForm {
  readonly stored: Stored;
  readonly uploadPath: string;
  readonly fileName: string | null;
}

/**
 * Reads a `multipart/form-data` upload (fields `file`, `uploadPath`, `fileName`, in any order) to its end.
 *
 * The stored file belongs to this function until it returns it (the caller hands it straight to `ingest`): the
 * parts after it can still refuse the request (a second file, too many fields, a bad name), and then the file is
 * removed here. Names that arrive before the file are checked at once; when one is refused, the file part is
 * drained without being stored, and the refusal answered once the body has been read.
 */
export async function readUploadForm(
  services: Services,
  parts: AsyncIterableIterator<Multipart>,
  maxBytes: number,
): Promise<UploadForm> {
  const fields = new Map<string, string>();
  let refused: unknown = null;
  let stored: Stored | null = null;
  try {
    for await (const part of parts) {
      if (part.type === "field") {
        if (typeof part.value === "string") fields.set(part.fieldname, part.value);
        if (stored === null && refused === null) refused = refusal(fields);
      } else if (part.fieldname !== "file" || stored !== null || refused !== null) {
        // Not ours to store (a second file is refused by the parser's files limit right after).
        part.file.resume();
      } else {
        const res = await services.blobs.writeTemp(part.file, { maxBytes });
        stored = { temp: res.path, size: res.size, head: res.head, nameHint: part.filename || null };
      }
    }
    if (refused !== null) throw refused;
    if (stored === null) throw new HooklineError("bad_request", "file is required");
    return {
      stored,
      uploadPath: checkUploadPath(fields.get("uploadPath")),
      fileName: checkFileName(fields.get("fileName")),
    };
  } catch (error) {
    if (stored !== null) await discardTemp(stored);
    // The first reason wins: a drained file that was too large is not why a request with a bad name failed.
    throw refused ?? error;
  }
}

/** The error a name received so far deserves, or null (an `uploadPath` still to come is not an error yet). */
function refusal(fields: ReadonlyMap<string, string>): unknown {
  try {
    if (fields.has("uploadPath")) checkUploadPath(fields.get("uploadPath"));
    checkFileName(fields.get("fileName"));
    return null;
  } catch (error) {
    return error;
  }
}
