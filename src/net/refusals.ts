import { HooklineError } from "../lib/errors.js";
import type { Outbound } from "./outbound.js";

/**
 * Why the outbound client refused to go on: `address` (a private, loopback, link-local, metadata or otherwise
 * closed address, named or resolved), `scheme` (not http/https), `unresolved` (a name with no address),
 * `redirects` (a download redirected more than 5 times), `too_large` (a download over its cap), `encoding`
 * (a download answered with a compressed body). A callback's 3xx is not here: redirects are never followed for
 * callbacks, and its attempt records the status.
 */
export type Refusal = "address" | "scheme" | "unresolved" | "redirects" | "too_large" | "encoding";

/**
 * The refusal an error of this folder stands for, or null for any other failure. It reads the codes and messages
 * this folder itself writes (target.ts, guarded-lookup.ts, address-policy.ts, download.ts), which is why it
 * lives here: a reworded refusal is changed in the same folder as its classification.
 */
export function refusalOf(code: string, message: string): Refusal | null {
  if (code === "payload_too_large") return "too_large";
  if (code === "source_unavailable") {
    if (/^more than \d+ redirects/.test(message)) return "redirects";
    if (message.includes("Content-Encoding")) return "encoding";
    return null;
  }
  if (code !== "target_refused" && code !== "refused_target") return null;
  if (message.includes("scheme")) return "scheme";
  if (message.includes("could not be resolved") || message.includes("resolved to no address"))
    return "unresolved";
  return "address";
}

function refusalOfError(error: unknown): Refusal | null {
  return error instanceof HooklineError ? refusalOf(error.code, error.message) : null;
}

/**
 * The same client, telling `refused` of every refusal: a vetted URL (submissions), a callback POST (its result's
 * `refused_target`), a download (its thrown error). Nothing else changes.
 *
 * @example
 * const outbound = observeRefusals(createOutbound(policy), (reason) => metrics.refused(reason));
 */
export function observeRefusals(outbound: Outbound, refused: (reason: Refusal) => void): Outbound {
  const watch = (error: unknown): never => {
    const reason = refusalOfError(error);
    if (reason !== null) refused(reason);
    throw error;
  };
  return {
    vet: (url) => outbound.vet(url).catch(watch),
    async post(url, body, headers, opts) {
      const result = await outbound.post(url, body, headers, opts);
      const reason =
        result.errorClass === null ? null : refusalOf(result.errorClass, result.errorMessage ?? "");
      if (reason !== null) refused(reason);
      return result;
    },
    download: (url, destPath, opts) => outbound.download(url, destPath, opts).catch(watch),
    close: () => outbound.close(),
  };
}
