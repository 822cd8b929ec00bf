import { isIP } from "node:net";
import { HooklineError } from "../lib/errors.js";
import { type AddressPolicy, normalizeHost } from "./address-policy.js";

/** A parsed outbound URL with its userinfo moved out, so that the URL itself is safe to report. */
export interface Target {
  /** The URL without username and password. */
  url: URL;
  /** `Basic …` built from the URL's userinfo, or null when it had none. Never logged. */
  authorization: string | null;
  /** The host as it appears in messages (no userinfo, no path: paths may carry secrets too). */
  host: string;
}

/**
 * Parses an outbound URL: unparsable → `bad_request`; any scheme but http(s) → `target_refused`.
 *
 * @example
 * parseTarget("https://user:pw@hooks.example.com/x").authorization // "Basic dXNlcjpwdw=="
 */
export function parseTarget(input: string, base?: URL): Target {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch {
    throw new HooklineError("bad_request", "the URL could not be parsed");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new HooklineError(
      "target_refused",
      `target refused: scheme ${url.protocol} is not http: or https:`,
    );
  }
  let authorization: string | null = null;
  if (url.username !== "" || url.password !== "") {
    const user = safeDecode(url.username);
    const pass = safeDecode(url.password);
    authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    url.username = "";
    url.password = "";
  }
  return { url, authorization, host: url.host };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The URL's host name without IPv6 brackets, as undici and the resolver see it. */
export function bareHostname(url: URL): string {
  return normalizeHost(url.hostname);
}

/**
 * Refuses an IP-literal host outside the policy before anything is sent (literal hosts skip DNS,
 * so the guarded lookup would not see them; the connector checks them again).
 */
export function checkLiteralHost(target: Target, policy: AddressPolicy): void {
  const host = bareHostname(target.url);
  if (isIP(host) === 0) return;
  const verdict = policy.checkAddress(host);
  if (!verdict.ok) throw new HooklineError("target_refused", `target refused: ${verdict.reason}`);
}
