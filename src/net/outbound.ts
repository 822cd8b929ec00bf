import { Agent } from "undici";
import { type Clock, systemClock } from "../lib/clock.js";
import { HooklineError } from "../lib/errors.js";
import { compilePolicy, type OutboundPolicy } from "./address-policy.js";
import type { ClientContext } from "./context.js";
import { type DownloadOptions, type DownloadResult, downloadToFile } from "./download.js";
import { MAX_HEADER_BYTES } from "./get.js";
import {
  guardedConnector,
  guardedLookup,
  type LookupFn,
  resolveVetted,
  systemLookup,
} from "./guarded-lookup.js";
import { type PostOptions, type PostResult, postRequest } from "./post.js";
import { bareHostname, checkLiteralHost, parseTarget } from "./target.js";

/** The guarded outbound HTTP client: the only way the server talks to other hosts (DESIGN invariant 4). */
export interface Outbound {
  /**
   * Resolves and vets a URL without sending anything (used when a URL is submitted).
   * Throws `bad_request` for an unparsable URL, `target_refused` for another scheme, a refused
   * address, or a host name that does not resolve.
   */
  vet(url: string): Promise<void>;
  /**
   * A callback POST. Never follows redirects (a 3xx is returned as a status) and never throws for
   * network or HTTP problems: the result says what happened. A refused target gives errorClass
   * `refused_target`, which the sender treats as final. Once a status arrived it stands: a broken,
   * endless or stalled body only shortens the excerpt.
   */
  post(url: string, body: string, headers: Record<string, string>, opts: PostOptions): Promise<PostResult>;
  /**
   * Downloads to `destPath`, streamed (never whole in memory), with Node's own HTTP client. Follows at
   * most 5 redirects, each vetted again; the timeout covers everything. Throws `target_refused`,
   * `source_unavailable` (HTTP ≥ 400, DNS, connection, TLS, timeout, too many redirects, a cut or
   * malformed answer, a Content-Encoding other than identity) or `payload_too_large` (declared or
   * streamed size over `maxBytes`). The partial file is removed on any failure.
   */
  download(url: string, destPath: string, opts: DownloadOptions): Promise<DownloadResult>;
  /** Closes the kept-alive sockets after the requests in flight finish. */
  close(): Promise<void>;
}

/** Options of {@link createOutbound}. */
export interface OutboundOptions {
  /** Maximum sockets per origin (default 128). */
  connections?: number;
  /** Default "Hookline/0.1". */
  userAgent?: string;
  /** The resolver (default: the system's); tests inject one to make names resolve anywhere. */
  lookup?: LookupFn;
  /** Turns a Retry-After date into a delay (default: the system clock). */
  clock?: Clock;
}

/**
 * Creates a client. Callbacks go through one shared keep-alive undici Agent whose connector resolves each host
 * once, vets every address and connects only to what it vetted, so DNS rebinding has no second answer to use.
 * Downloads go through Node's own HTTP client with the same guarded lookup (see get.ts for why not undici).
 *
 * @example
 * const outbound = createOutbound({ allowHosts: [], allowPrivate: false });
 * const r = await outbound.post(url, JSON.stringify(payload), { "content-type": "application/json" }, { timeoutMs: 15_000 });
 * await outbound.close();
 */
export function createOutbound(policy: OutboundPolicy, opts: OutboundOptions = {}): Outbound {
  const compiled = compilePolicy(policy);
  const resolve = opts.lookup ?? systemLookup;
  const ctx: ClientContext = {
    agent: new Agent({
      connections: opts.connections ?? 128,
      connect: guardedConnector(resolve, compiled),
      maxHeaderSize: MAX_HEADER_BYTES,
    }),
    lookup: guardedLookup(resolve, compiled),
    policy: compiled,
    resolve,
    userAgent: opts.userAgent ?? "Hookline/0.1",
    clock: opts.clock ?? systemClock,
    callbackTargets: new Map(),
  };
  return {
    async vet(url) {
      const target = parseTarget(url);
      checkLiteralHost(target, compiled);
      const host = bareHostname(target.url);
      if (compiled.hostAllowed(host) || compiled.checkAddress(host).ok) return;
      try {
        await resolveVetted(resolve, compiled, host);
      } catch (err) {
        if (err instanceof HooklineError) throw err;
        const code = (err as NodeJS.ErrnoException).code ?? "no answer";
        throw new HooklineError("target_refused", `target refused: ${host} could not be resolved (${code})`, {
          cause: err,
        });
      }
    },
    post: (url, body, headers, postOpts) => postRequest(ctx, url, body, headers, postOpts),
    download: (url, destPath, dlOpts) => downloadToFile(ctx, url, destPath, dlOpts),
    close: () => ctx.agent.close(),
  };
}
