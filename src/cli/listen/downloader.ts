/**
 * Background downloads of `hookline listen --save`: each pending file of the index is fetched with the SDK's
 * atomic download and retried with backoff on network errors and 5xx until its link expires (Hookline's signed
 * URLs say when, in `expires`), or for `maxAttempts` when the link does not say. A link that answers expired or
 * invalid (403, 404, 410) is given up at once. Every change is written to the index, so a restart resumes what is
 * still pending.
 */
import { join } from "node:path";
import { HooklineClient, isHooklineApiError } from "../../client/index.js";
import type { SavedFile, SaveIndex } from "./save-index.js";

/** How hard the downloader tries, and where it reports. */
export interface DownloaderOptions {
  /** Attempts per file in one run when its link names no expiry (default 10); the file stays pending. */
  maxAttempts?: number;
  /** First retry delay, ms (default 1 000), doubling up to 60 s. */
  baseDelayMs?: number;
  /** Told about each attempt's end. */
  report(event: {
    taskId: string;
    file: SavedFile;
    ok: boolean;
    retryInMs: number | null;
    error?: string;
  }): void;
}

/** When a signed link stops working (ms), from its `expires` parameter (Unix seconds), if it has one. */
export function expiryOf(url: string): number | null {
  const value = new URL(url).searchParams.get("expires");
  return value && /^\d{1,12}$/.test(value) ? Number(value) * 1000 : null;
}

/** Runs the pending downloads of a {@link SaveIndex}, one per file at a time, in the background. */
export class Downloader {
  readonly #index: SaveIndex;
  readonly #opts: DownloaderOptions;
  readonly #active = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  // Signed file URLs need no key: a client without one, used only for its file downloads.
  readonly #client = new HooklineClient({ baseUrl: "http://localhost", apiKey: "" });
  #stopped = false;

  constructor(index: SaveIndex, opts: DownloaderOptions) {
    this.#index = index;
    this.#opts = opts;
  }

  /** Starts every pending file not being downloaded already. */
  kick(): void {
    for (const { taskId, file } of this.#index.pending()) {
      if (!this.#active.has(file.path)) void this.#run(taskId, file, 1);
    }
  }

  /** Stops scheduling retries (the index keeps what is pending for the next run). */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
  }

  async #run(taskId: string, file: SavedFile, attempt: number): Promise<void> {
    if (this.#stopped) return;
    this.#active.add(file.path);
    file.attempts++;
    let retryInMs: number | null = null;
    let error: string | undefined;
    try {
      const done = await this.#client.files.download(file.url, join(this.#index.dir, file.path));
      file.state = "done";
      file.bytes = done.bytes;
      delete file.error;
    } catch (e) {
      error = (e as Error).message;
      file.error = error;
      const delay = Math.min(60_000, (this.#opts.baseDelayMs ?? 1000) * 2 ** (attempt - 1));
      const expires = expiryOf(file.url);
      const final = isHooklineApiError(e) && ["forbidden", "not_found", "expired"].includes(e.kind);
      if (final || (expires !== null && Date.now() + delay >= expires)) file.state = "failed";
      else if (expires !== null || attempt < (this.#opts.maxAttempts ?? 10)) retryInMs = delay;
    }
    await this.#index.save();
    this.#opts.report({ taskId, file, ok: file.state === "done", retryInMs, ...(error ? { error } : {}) });
    if (retryInMs !== null && !this.#stopped) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        void this.#run(taskId, file, attempt + 1);
      }, retryInMs);
      this.#timers.add(timer);
      // Still active while a retry is scheduled: a duplicate callback must not start a second download.
      return;
    }
    this.#active.delete(file.path);
  }
}
