import { promises as dns } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { buildConnector } from "undici";
import { HooklineError } from "../lib/errors.js";
import type { AddressPolicy } from "./address-policy.js";

/** One address a host name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a host name to all its addresses. The default asks the system resolver (`dns.lookup`,
 * all addresses, in the resolver's order); tests inject their own to simulate any DNS answer.
 */
export type LookupFn = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system resolver: `dns.promises.lookup(host, { all: true })`. */
export const systemLookup: LookupFn = async (hostname) => {
  const found = await dns.lookup(hostname, { all: true, order: "verbatim" });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** Resolves once and vets every address (throws `target_refused`); the answer is what the socket connects to. */
export async function resolveVetted(
  resolve: LookupFn,
  policy: AddressPolicy,
  hostname: string,
): Promise<readonly ResolvedAddress[]> {
  const addresses = await resolve(hostname);
  const verdict = policy.checkResolved(
    hostname,
    addresses.map((a) => a.address),
  );
  if (!verdict.ok) throw new HooklineError("target_refused", `target refused: ${verdict.reason}`);
  return addresses;
}

/**
 * A `lookup` for `net.connect`/`tls.connect` that vets what it returns. The socket connects to the
 * addresses this function hands back and to nothing else, so a resolver that answers differently on
 * a second query (DNS rebinding) is never asked a second time for this connection.
 */
export function guardedLookup(resolve: LookupFn, policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveVetted(resolve, policy, hostname).then(
      (all) => {
        const wanted =
          options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        const first = wanted[0];
        if (first === undefined) {
          const err = Object.assign(new Error(`${hostname}: no address of the requested family`), {
            code: "ENOTFOUND",
          });
          process.nextTick(callback, err, "");
        } else if (options.all === true)
          process.nextTick(
            callback,
            null,
            wanted.map((a) => ({ ...a })),
          );
        else process.nextTick(callback, null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => process.nextTick(callback, err, ""),
    );
  };
}

/**
 * An undici connector that refuses literal-IP hosts outside the policy (they never reach `lookup`)
 * and resolves host names through {@link guardedLookup}. TLS SNI and certificate checks keep using
 * the host name, because undici passes it as `servername`.
 */
export function guardedConnector(resolve: LookupFn, policy: AddressPolicy): buildConnector.connector {
  const base = buildConnector({ lookup: guardedLookup(resolve, policy), autoSelectFamily: true });
  return (options, callback) => {
    if (isIP(options.hostname) !== 0) {
      const verdict = policy.checkAddress(options.hostname);
      if (!verdict.ok) {
        callback(new HooklineError("target_refused", `target refused: ${verdict.reason}`), null);
        return;
      }
    }
    base(options, callback);
  };
}
