import { rm } from "node:fs/promises";
import { getFile, isLive } from "../../files/index.js";
import { HooklineError } from "../../lib/errors.js";
import type { Services } from "../../services/index.js";

/** A recording on local disk; `release` removes it if it was downloaded for the task. */
export interface LocalRecording {
  readonly path: string;
  release(): Promise<void>;
}

/** True when `url` is a download link this server signed (an upload's `downloadUrl`): no fetch needed. */
export function isOwnFileUrl(services: Services, url: string): boolean {
  return services.signer.parse(url) !== null;
}

/**
 * Makes a recording URL local. A link this server signed is read from the file store directly (it is a bearer
 * link: whoever holds it may download it anyway), so uploads work without opening loopback to the outbound
 * guard; any other URL is downloaded through the guarded client (private targets refused, ≤5 vetted redirects).
 * Errors are the caller's input problems: `source_unavailable` or `payload_too_large`, with `field` named.
 */
export async function fetchRecording(
  services: Services,
  url: string,
  field: string,
  signal: AbortSignal,
): Promise<LocalRecording> {
  const { blobs, config, clock, store } = services;
  const own = services.signer.parse(url);
  if (own) {
    const file = await getFile(store.db, own.fileId);
    if (!file || !isLive(file, clock.now()) || own.expiresAtMs <= clock.now()) {
      throw new HooklineError(
        "source_unavailable",
        `${field} could not be fetched: the file has expired or was deleted`,
      );
    }
    // On S3 this is a copy in the scratch area, removed by `release`.
    return blobs.local(file.storage_key, signal);
  }
  const temp = blobs.tempPath("voice");
  try {
    await services.outbound.download(url, temp, {
      maxBytes: config.limits.uploadBytes,
      timeoutMs: config.limits.downloadTimeoutMs,
      signal,
    });
  } catch (error) {
    await rm(temp, { force: true });
    if (signal.aborted) throw error;
    if (error instanceof HooklineError) {
      throw new HooklineError(error.code, `${field} could not be fetched: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
  return { path: temp, release: () => rm(temp, { force: true }) };
}
