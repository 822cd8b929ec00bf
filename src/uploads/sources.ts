import { rm, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { readHead } from "../files/index.js";
import { HooklineError } from "../lib/errors.js";
import type { Services } from "../services/index.js";
import type { Stored } from "./ingest.js";

/** Fetches a remote file through the guarded client (private targets refused, ≤5 vetted redirects, 30 s). */
export async function storeFromUrl(services: Services, url: string, signal: AbortSignal): Promise<Stored> {
  const { blobs, config } = services;
  const temp = blobs.tempPath();
  try {
    const res = await services.outbound.download(url, temp, {
      maxBytes: config.limits.uploadBytes,
      timeoutMs: config.limits.downloadTimeoutMs,
      signal,
    });
    const head = await readHead(temp);
    const { size } = await stat(temp);
    return { temp, size, head, nameHint: res.fileNameHint };
  } catch (error) {
    await rm(temp, { force: true });
    // The upload endpoints document 400/401/500 only: a URL we could not fetch is the caller's bad input.
    if (error instanceof HooklineError && error.code === "source_unavailable") {
      throw new HooklineError("bad_request", `fileUrl could not be fetched: ${error.message}`);
    }
    throw error;
  }
}

const DATA_URL = /^data:([^;,]*)(;[^,]*)?,/;

/** Decodes plain base64 or a `data:` URL, refusing more than the configured decoded size. */
export async function storeFromBase64(services: Services, text: string): Promise<Stored> {
  const payload = text.replace(DATA_URL, "").replace(/\s+/g, "");
  if (payload.length === 0 || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload)) {
    throw new HooklineError("bad_request", "base64Data is not valid base64");
  }
  const limit = services.config.limits.base64Bytes;
  if (Math.floor((payload.length * 3) / 4) > limit + 2) {
    throw new HooklineError(
      "payload_too_large",
      `Decoded file exceeds ${limit} bytes; use the stream upload`,
    );
  }
  const bytes = Buffer.from(payload, "base64");
  if (bytes.length > limit)
    throw new HooklineError("payload_too_large", `Decoded file exceeds ${limit} bytes`);
  const res = await services.blobs.writeTemp(Readable.from([bytes]), { maxBytes: limit });
  return { temp: res.path, size: res.size, head: res.head, nameHint: null };
}
