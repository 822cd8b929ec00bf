/**
 * The typed client: one object per server and key, with a group per part of the API.
 */

import { constants } from "node:fs";
import { access } from "node:fs/promises";
import type { AdminCreatedKey, AdminKey, AdminKeyChanges } from "./admin-types.js";
import { coverApi, voiceApi, wavApi } from "./families.js";
import { filesApi } from "./files.js";
import { type ClientOptions, Transport } from "./http.js";
import { multipartBody, sourceName, type UploadSource } from "./multipart.js";
import { OPERATIONS as O } from "./operations.js";
import type {
  CallbackState,
  CoverRecord,
  Deliveries,
  MusicRecord,
  ReceiverSummary,
  SourceTrack,
  StreamResult,
  TaskDetails,
  TaskKind,
  TaskPage,
  TaskSummary,
  TestCallbackResult,
  UploadedFile,
  Voice,
  VoiceRecord,
  VoiceValidateInfo,
  WavRecord,
} from "./types.js";
import { type WaitOptions, waitFor } from "./wait.js";

/**
 * What the task list may be narrowed to: a family, a status (`pending`, `succeeded`, `failed` across families, or a
 * family's own), a callback state, a task id or audioId (`q`).
 */
type TaskFilter = { family?: string; status?: string; callback?: CallbackState; q?: string };

/** Per-call options: an `AbortSignal`, and extra headers for this request. */
type Call = { signal?: AbortSignal; headers?: Record<string, string> };

/** The record `waitForTask` answers for each kind of task. */
export interface RecordOf {
  wav: WavRecord;
  cover: CoverRecord;
  "voice-validate": VoiceValidateInfo;
  "voice-generate": VoiceRecord;
  music: MusicRecord;
}

/**
 * A client of one Hookline server (or of a reseller's API, for the endpoints they share).
 *
 * @example
 * import { HooklineClient } from "hookline/client";
 * const client = new HooklineClient({ baseUrl: "http://127.0.0.1:3000", apiKey }); // your hk_… key
 * const up = await client.uploads.stream({ path: "song.mp3" }, { uploadPath: "music" });
 * const { taskId } = await client.wav.generate({ audioId: up.audioId! });
 * const record = await client.waitForTask("wav", taskId, { signal: AbortSignal.timeout(120_000) });
 * await client.files.download(record.response!.audioWavUrl!, "song.wav");
 */
export class HooklineClient {
  readonly #t: Transport;
  /** The WAV family (spec 4). */
  readonly wav: ReturnType<typeof wavApi>;
  /** The cover family (spec 5). */
  readonly cover: ReturnType<typeof coverApi>;
  /** The custom-voice family (spec 6). */
  readonly voice: ReturnType<typeof voiceApi>;
  /** Signed file URLs and uploaded files. */
  readonly files: ReturnType<typeof filesApi>;

  constructor(options: ClientOptions) {
    this.#t = new Transport(options);
    this.wav = wavApi(this.#t);
    this.cover = coverApi(this.#t);
    this.voice = voiceApi(this.#t);
    this.files = filesApi(this.#t);
  }

  /** The server's origin, as configured. */
  get baseUrl(): string {
    return this.#t.baseUrl;
  }

  /** The three upload endpoints (spec 7.1). An audio upload answers `taskId`/`audioId` of its source track. */
  readonly uploads = {
    /** The server fetches `fileUrl` (http/https; 30 s, 100 MB). */
    fromUrl: (input: { fileUrl: string; uploadPath: string; fileName?: string }, opts: Call = {}) =>
      this.#t.call<typeof O.uploadFromUrl, UploadedFile>(O.uploadFromUrl, { body: input, ...opts }),
    /** Plain base64 or a `data:` URL (10 MB decoded); a `Uint8Array` is encoded for you. */
    fromBase64: (
      input: { base64Data: string | Uint8Array; uploadPath: string; fileName?: string },
      opts: Call = {},
    ) =>
      this.#t.call<typeof O.uploadBase64, UploadedFile>(O.uploadBase64, {
        body: {
          ...input,
          base64Data:
            typeof input.base64Data === "string"
              ? input.base64Data
              : Buffer.from(input.base64Data).toString("base64"),
        },
        ...opts,
      }),
    /**
     * A multipart stream upload from a file path, a Node or web stream, a buffer or a Blob; never read whole.
     *
     * @example
     * await client.uploads.stream({ path: "./song.flac" }, { uploadPath: "music" });
     * await client.uploads.stream({ stream: createReadStream("x.mp3") }, { uploadPath: "music", name: "x.mp3" });
     */
    stream: async (
      source: UploadSource,
      input: { uploadPath: string; fileName?: string; name?: string },
      opts: Call = {},
    ): Promise<UploadedFile> => {
      // A missing file fails here with Node's own error, not later as a cut-off request.
      if ("path" in source) await access(source.path, constants.R_OK);
      return this.#t.call<typeof O.uploadStream, UploadedFile>(O.uploadStream, {
        raw: multipartBody(
          { uploadPath: input.uploadPath, fileName: input.fileName },
          source,
          sourceName(source, input.name ?? input.fileName),
        ),
        timeoutMs: 0,
        ...opts,
      });
    },
  };

  /** Source tracks (spec 12.1). */
  readonly tracks = {
    /** Registers an uploaded (`filePath`) or remote (`fileUrl`) audio file as a source track. */
    register: (input: { fileUrl?: string; filePath?: string; title?: string }, opts: Call = {}) =>
      this.#t.call<typeof O.registerTrack, SourceTrack>(O.registerTrack, { body: input, ...opts }),
  };

  /** Music records of source tracks (spec 3). */
  readonly music = {
    recordInfo: (taskId: string, opts: Call = {}) =>
      this.#t.call<typeof O.musicRecordInfo, MusicRecord>(O.musicRecordInfo, { query: { taskId }, ...opts }),
  };

  /** Remaining credits (spec 7.2): `GET /api/v1/generate/credit`, or `/api/v1/chat/credit` with `kie`. */
  credits(opts: Call & { path?: "generate" | "chat" } = {}): Promise<number> {
    const { path, ...rest } = opts;
    return path === "chat"
      ? this.#t.call<typeof O.chatCredits, number>(O.chatCredits, rest)
      : this.#t.call<typeof O.credits, number>(O.credits, rest);
  }

  /** A 20-minute download link for a URL the server produced for this key (spec 7.3). */
  downloadUrl(url: string, opts: Call = {}): Promise<string> {
    return this.#t.call<typeof O.downloadUrl, string>(O.downloadUrl, { body: { url }, ...opts });
  }

  /** Liveness (`/healthz`): true when the server answers 200. */
  async health(opts: Call = {}): Promise<boolean> {
    const res = await this.#t.send(O.health, opts);
    await res.body?.cancel();
    return res.status === 200;
  }

  /** Readiness (`/readyz`): the database is reachable and ffmpeg found. */
  async ready(opts: Call = {}): Promise<{ ready: boolean; [field: string]: unknown }> {
    const res = await this.#t.send(O.ready, opts);
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { ...body, ready: res.status === 200 };
  }

  /** The key's tasks and their callbacks (spec 12.4, 13). */
  readonly tasks = {
    /** One page, newest first. */
    list: (filter: TaskFilter & { limit?: number; cursor?: string } = {}, opts: Call = {}) =>
      this.#t.call<typeof O.listTasks, TaskPage>(O.listTasks, {
        query: { ...filter, limit: filter.limit === undefined ? undefined : String(filter.limit) },
        ...opts,
      }),
    /** Every task matching `filter`, page after page. */
    all: async function* (
      this: HooklineClient,
      filter: TaskFilter & { pageSize?: number } = {},
    ): AsyncGenerator<TaskSummary> {
      let cursor: string | undefined;
      const { pageSize, ...only } = filter;
      do {
        const page = await this.tasks.list({
          ...Object.fromEntries(Object.entries(only).filter(([, v]) => v !== undefined && v !== "")),
          limit: pageSize ?? 100,
          ...(cursor ? { cursor } : {}),
        });
        yield* page.tasks;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }.bind(this),
    /** A task in full: its request, result, timeline, files and its family's record. */
    get: (taskId: string, opts: Call = {}) =>
      this.#t.call<typeof O.getTask, TaskDetails>(O.getTask, { params: { taskId }, ...opts }),
    /** Every callback message of a task and every attempt to deliver it. */
    deliveries: (taskId: string, opts: Call = {}) =>
      this.#t.call<typeof O.taskDeliveries, Deliveries>(O.taskDeliveries, { params: { taskId }, ...opts }),
    /** Sends the task's last callback again, with the same message id (`webhook-id`). */
    redeliver: (taskId: string, opts: Call = {}) =>
      this.#t.call<typeof O.redeliver, { taskId: string; messageId: string }>(O.redeliver, {
        params: { taskId },
        ...opts,
      }),
    /**
     * Sends the task's latest callback once to another URL, signed as an attempt signs it, and answers what that
     * receiver said (not retried, not in the delivery log).
     */
    testCallback: (taskId: string, url: string, opts: Call = {}) =>
      this.#t.call<typeof O.testCallback, TestCallbackResult>(O.testCallback, {
        params: { taskId },
        body: { url },
        ...opts,
      }),
    /** Deletes a finished task and its result files. */
    delete: (taskId: string, opts: Call = {}) =>
      this.#t.call<typeof O.deleteTask, { taskId: string; deleted: boolean; filesDeleted: number }>(
        O.deleteTask,
        { params: { taskId }, ...opts },
      ),
  };

  /** The key's voices (spec 13). */
  readonly voices = {
    list: (opts: Call = {}) =>
      this.#t.call<typeof O.listVoices, { voices: Voice[] } | Voice[]>(O.listVoices, opts),
    get: (voiceId: string, opts: Call = {}) =>
      this.#t.call<typeof O.getVoice, Voice>(O.getVoice, { params: { voiceId }, ...opts }),
    delete: (voiceId: string, opts: Call = {}) =>
      this.#t.call<typeof O.deleteVoice, unknown>(O.deleteVoice, { params: { voiceId }, ...opts }),
  };

  /** The callback stream's delivery log (the stream itself is read by `hookline listen --remote`). */
  readonly callbackStream = {
    /** Logs what a callback forwarded from the stream got: an attempt with trigger `stream`, the message unmoved. */
    reportResult: (result: StreamResult, opts: Call = {}) =>
      this.#t.call<typeof O.reportStreamResult, { messageId: string; number: number }>(O.reportStreamResult, {
        body: result,
        ...opts,
      }),
  };

  /** The key's callback receivers over the last 24 hours, the most recently tried first. */
  readonly receivers = {
    list: (opts: Call = {}) =>
      this.#t.call<typeof O.listReceivers, { receivers: ReceiverSummary[] }>(O.listReceivers, opts),
  };

  /**
   * The operator's admin API over keys: build this client with the admin token (HOOKLINE_ADMIN_TOKEN) as `apiKey`.
   *
   * @example
   * const admin = new HooklineClient({ baseUrl, apiKey: adminToken }); // the operator's HOOKLINE_ADMIN_TOKEN
   * const { apiKey } = await admin.admin.createKey({ name: "shop", credits: 100 }); // shown once
   */
  readonly admin = {
    /** Every key, newest first. */
    listKeys: (opts: Call = {}) =>
      this.#t.call<typeof O.adminListKeys, { keys: AdminKey[] }>(O.adminListKeys, opts),
    /** A new key and its secrets (a name a live key has is refused: `conflict`). */
    createKey: (input: { name: string; credits?: number; hmacEnabled?: boolean }, opts: Call = {}) =>
      this.#t.call<typeof O.adminCreateKey, AdminCreatedKey>(O.adminCreateKey, { body: input, ...opts }),
    updateKey: (keyId: string, changes: AdminKeyChanges, opts: Call = {}) =>
      this.#t.call<typeof O.adminUpdateKey, { key: AdminKey }>(O.adminUpdateKey, {
        params: { keyId },
        body: changes,
        ...opts,
      }),
    revokeKey: (keyId: string, opts: Call = {}) =>
      this.#t.call<typeof O.adminRevokeKey, { key: AdminKey }>(O.adminRevokeKey, {
        params: { keyId },
        ...opts,
      }),
    /** A new webhook key; the old one also signs for the server's rotation grace period. */
    rotateWebhookKey: (keyId: string, opts: Call = {}) =>
      this.#t.call<typeof O.adminRotateWebhookKey, { key: AdminKey; webhookHmacKey: string }>(
        O.adminRotateWebhookKey,
        { params: { keyId }, ...opts },
      ),
  };

  /**
   * Polls a task's record until it settles (see `isSettled`), with backoff from `intervalMs` to `maxIntervalMs`,
   * honouring `signal` and `timeoutMs`; answers the settled record (failed ones too: check its status).
   *
   * @example
   * const rec = await client.waitForTask("wav", taskId, { signal: AbortSignal.timeout(60_000) });
   * if (rec.status !== "SUCCESS") throw new Error(rec.errorMessage ?? rec.status);
   */
  waitForTask<K extends TaskKind>(kind: K, taskId: string, options: WaitOptions = {}): Promise<RecordOf[K]> {
    const readers: { [P in TaskKind]: (signal?: AbortSignal) => Promise<RecordOf[P]> } = {
      wav: (signal) => this.wav.recordInfo(taskId, signal ? { signal } : {}),
      cover: (signal) => this.cover.recordInfo(taskId, signal ? { signal } : {}),
      "voice-validate": (signal) => this.voice.validateInfo(taskId, signal ? { signal } : {}),
      "voice-generate": (signal) => this.voice.recordInfo(taskId, signal ? { signal } : {}),
      music: (signal) => this.music.recordInfo(taskId, signal ? { signal } : {}),
    };
    return waitFor(kind, taskId, readers[kind] as (s?: AbortSignal) => Promise<RecordOf[K]>, options);
  }
}
