/**
 * The transport under every client method: builds the request of an {@link Operation}, sends it with the injected
 * `fetch`, and turns the envelope into data or a {@link HooklineApiError}.
 */
import type { Static, TObject } from "@sinclair/typebox";
import { type Dialect, HooklineApiError, kindOfCode } from "./errors.js";
import type { Operation } from "./operations.js";

/** How a client reaches a server. */
export interface ClientOptions {
  /** The server's origin, e.g. `http://127.0.0.1:3000` (a path prefix is kept). */
  baseUrl: string;
  /** The API key (`hk_…`), sent as `Authorization: Bearer` to `baseUrl` only. */
  apiKey: string;
  /** A `fetch` to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: typeof fetch;
  /** The server's code dialect, for {@link HooklineApiError.kind} (default `sunoapi`). */
  dialect?: Dialect;
  /** Per-request time limit in milliseconds (default 60 000; uploads and downloads get no limit unless set). */
  timeoutMs?: number;
  /** Extra headers on every request to `baseUrl` (e.g. a tracing id); never sent to other origins. */
  headers?: Record<string, string>;
}

type Maybe<T extends TObject | undefined, K extends string> = T extends TObject
  ? { [P in K]: Static<T> }
  : { [P in K]?: undefined };

/** What one call of an operation sends: its path parameters, query, JSON body or multipart body. */
export type CallInput<O extends Operation> = Maybe<O["params"], "params"> &
  Maybe<O["query"], "query"> &
  Maybe<O["body"], "body"> & {
    /** A ready multipart or streamed body (uploads), with its content type. */
    raw?: { body: AsyncIterable<Uint8Array> | Uint8Array | string; contentType: string };
    signal?: AbortSignal;
    /** Overrides the client's `timeoutMs` for this call (0: none). */
    timeoutMs?: number;
    /** Extra headers for this call (to `baseUrl` only). */
    headers?: Record<string, string>;
  };

/** The loose form of {@link CallInput} that {@link Transport.send} takes. */
export interface SendInput {
  params?: Record<string, string> | undefined;
  query?: Record<string, string | undefined> | undefined;
  body?: unknown;
  raw?: { body: AsyncIterable<Uint8Array> | Uint8Array | string; contentType: string } | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  headers?: Record<string, string> | undefined;
}

/** An operation's path with its parameters put in; `missing` answers what stands for one that was not given. */
function fillPath(
  op: Operation,
  params: Record<string, string> | undefined,
  missing: (name: string) => string,
) {
  return op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = params?.[name];
    // A file path keeps its slashes: each segment is encoded on its own.
    return value === undefined ? missing(name) : value.split("/").map(encodeURIComponent).join("/");
  });
}

/**
 * `METHOD path` for error messages, with the real ids in the path: a template such as `/tasks/{taskId}` would not
 * say which task failed. Never throws, since it describes a failure that may stem from the parameters themselves.
 */
function operationOf(op: Operation, params: Record<string, string> | undefined): string {
  return `${op.method} ${fillPath(op, params, (name) => `{${name}}`)}`;
}

/** Sends operations to one server. */
export class Transport {
  readonly baseUrl: string;
  /** True when no `fetch` was injected (file downloads then use Node's own HTTP client, see node-get.ts). */
  readonly globalFetch: boolean;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;
  readonly #dialect: Dialect;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#apiKey = options.apiKey;
    this.globalFetch = options.fetch === undefined;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#dialect = options.dialect ?? "sunoapi";
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#headers = options.headers ?? {};
  }

  /** The URL of an operation with its path parameters filled in and its query appended. */
  url(op: Operation, params?: Record<string, string>, query?: Record<string, string | undefined>): string {
    const path = fillPath(op, params, (name) => {
      throw new TypeError(`${op.path}: missing path parameter ${name}`);
    });
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) search.set(k, v);
    const qs = search.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ""}`;
  }

  /** Sends an enveloped operation and answers its `data`; throws {@link HooklineApiError} otherwise. */
  async call<O extends Operation, T>(op: O, input: CallInput<O>): Promise<T> {
    const sent = input as SendInput;
    const res = await this.send(op, sent);
    const operation = operationOf(op, sent.params);
    const text = await this.#read(res, operation);
    let envelope: { code?: unknown; msg?: unknown; data?: unknown };
    try {
      envelope = JSON.parse(text) as typeof envelope;
    } catch (cause) {
      throw this.#error(
        operation,
        "bad_response",
        `HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`,
        res,
        cause,
      );
    }
    const code = typeof envelope.code === "number" ? envelope.code : Number(envelope.code);
    const msg = typeof envelope.msg === "string" ? envelope.msg : "";
    if (!Number.isFinite(code))
      throw this.#error(operation, "bad_response", `no envelope code: ${text.slice(0, 200)}`, res);
    if (code !== 200) {
      throw new HooklineApiError({
        kind: kindOfCode(code, this.#dialect),
        code,
        msg,
        data: envelope.data,
        httpStatus: res.status,
        operation,
      });
    }
    return envelope.data as T;
  }

  /** Sends an operation and answers the raw response (any status); transport failures throw. */
  async send(op: Operation, input: SendInput, absoluteUrl?: string): Promise<Response> {
    const url = absoluteUrl ?? this.url(op, input.params, input.query);
    let headers: Record<string, string> = { accept: "application/json" };
    // The key goes to the configured server only, never to another origin (signed file URLs need none).
    if (new URL(url).origin === new URL(this.baseUrl).origin && absoluteUrl === undefined) {
      headers = { ...this.#headers, ...input.headers, ...headers, authorization: `Bearer ${this.#apiKey}` };
    }
    let body: RequestInit["body"];
    if (input.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(input.body);
    } else if (input.raw) {
      headers["content-type"] = input.raw.contentType;
      body = input.raw.body as RequestInit["body"];
    }
    const operation = operationOf(op, input.params);
    const limit = input.timeoutMs ?? this.#timeoutMs;
    const timeout = limit > 0 ? AbortSignal.timeout(limit) : null;
    const signals = [input.signal, timeout].filter((s): s is AbortSignal => s !== null && s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    try {
      return await this.#fetch(url, {
        method: op.method,
        headers,
        body,
        redirect: "manual",
        ...(signal ? { signal } : {}),
        // Streamed bodies (uploads from a stream) need half-duplex with Node's fetch.
        ...(input.raw &&
        typeof input.raw.body === "object" &&
        Symbol.asyncIterator in (input.raw.body as object)
          ? { duplex: "half" }
          : {}),
      } as RequestInit);
    } catch (cause) {
      if (input.signal?.aborted)
        throw this.#error(operation, "aborted", "aborted by the caller", null, cause);
      if (timeout?.aborted)
        throw this.#error(operation, "timeout", `no answer within ${limit} ms`, null, cause);
      const reason = (cause as { cause?: { code?: string; message?: string } }).cause;
      const detail = reason?.code ?? reason?.message ?? (cause as Error).message;
      throw this.#error(operation, "network", `cannot reach ${this.baseUrl} (${detail})`, null, cause);
    }
  }

  async #read(res: Response, operation: string): Promise<string> {
    try {
      return await res.text();
    } catch (cause) {
      throw this.#error(
        operation,
        "network",
        `the answer was cut off: ${(cause as Error).message}`,
        res,
        cause,
      );
    }
  }

  #error(
    operation: string,
    kind: "bad_response" | "network" | "aborted" | "timeout",
    msg: string,
    res: Response | null,
    cause?: unknown,
  ): HooklineApiError {
    return new HooklineApiError({
      kind,
      code: 0,
      msg,
      httpStatus: res?.status ?? null,
      operation,
      cause,
    });
  }
}
