import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Which hosts the outbound client may reach (DESIGN invariant 4). Comes from configuration.
 *
 * @example
 * // --dev: a receiver on this machine and one named host on the LAN
 * const policy: OutboundPolicy = { allowHosts: ["receiver.lan", "192.168.7.0/24"], allowPrivate: true };
 */
export interface OutboundPolicy {
  /** Host names (exact, case-insensitive: allowed whatever they resolve to), IP literals, or CIDRs. */
  readonly allowHosts: readonly string[];
  /** Opens loopback, private, unique-local and CGNAT addresses (never link-local or metadata). */
  readonly allowPrivate: boolean;
}

/** The outcome of checking one host or address against the policy. */
export type Verdict = { ok: true } | { ok: false; reason: string };

/** How an address is treated before any allow rule: reachable, opened only by `allowPrivate`, or never. */
export type AddressClass = { kind: "public" } | { kind: "private" | "forbidden"; label: string };

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

// Cloud metadata endpoints, named even where a range already covers them, so that no allow rule short of an
// explicit allowHosts entry opens them (100.100.100.200 sits in CGNAT, which allowPrivate opens).
const METADATA = ["169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"].map((a) =>
  ipaddr.parse(a),
);
const PRIVATE_V4 = new Set(["loopback", "private", "carrierGradeNat"]);
const PRIVATE_V6 = new Set(["loopback", "uniqueLocal"]);
const GLOBAL_V6 = ipaddr.parseCIDR("2000::/3");
const NAT64_WELL_KNOWN = ipaddr.parseCIDR("64:ff9b::/96");
const LABELS: Record<string, string> = {
  carrierGradeNat: "carrier-grade NAT",
  linkLocal: "link-local",
  uniqueLocal: "unique-local",
  private: "private",
  rfc6052: "NAT64",
  "6to4": "6to4",
};

function sameAddress(a: Addr, b: Addr): boolean {
  return a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();
}

/** The IPv4 address carried in two 16-bit IPv6 parts (6to4, NAT64, IPv4-translated forms). */
function embeddedV4(v6: ipaddr.IPv6, hi: number): ipaddr.IPv4 {
  const a = v6.parts[hi] ?? 0;
  const b = v6.parts[hi + 1] ?? 0;
  return new ipaddr.IPv4([a >> 8, a & 0xff, b >> 8, b & 0xff]);
}

/**
 * Classifies an address by ipaddr.js's named ranges. IPv4-mapped IPv6 is judged as its IPv4 address;
 * tunnel forms that carry an IPv4 address (6to4, NAT64, IPv4-translated) are public only when that
 * address is; Teredo and everything outside 2000::/3 are refused.
 */
export function classifyAddress(address: string): AddressClass {
  const raw = ipaddr.parse(address);
  if (METADATA.some((m) => sameAddress(m, raw))) return { kind: "forbidden", label: "cloud metadata" };
  const addr = ipaddr.process(address);
  if (METADATA.some((m) => sameAddress(m, addr))) return { kind: "forbidden", label: "cloud metadata" };
  const range = addr.range();
  const label = LABELS[range] ?? range;
  if (!(addr instanceof ipaddr.IPv6)) {
    if (range === "unicast") return { kind: "public" };
    return { kind: PRIVATE_V4.has(range) ? "private" : "forbidden", label };
  }
  const v6 = addr;
  if (PRIVATE_V6.has(range)) return { kind: "private", label };
  let inner: ipaddr.IPv4 | null = null;
  if (range === "6to4") inner = embeddedV4(v6, 1);
  else if (range === "rfc6145" || (range === "rfc6052" && v6.match(NAT64_WELL_KNOWN)))
    inner = embeddedV4(v6, 6);
  if (inner !== null) {
    const innerClass = classifyAddress(inner.toString());
    if (innerClass.kind === "public") return innerClass;
    return { kind: "forbidden", label: `${label} form of ${inner.toString()} (${innerClass.label})` };
  }
  if (range === "unicast" && v6.match(GLOBAL_V6)) return { kind: "public" };
  return { kind: "forbidden", label: range === "unicast" ? "reserved" : label };
}

/** A compiled policy: answers for host names, literal addresses and resolved address lists. */
export interface AddressPolicy {
  /** True when the host name is named in allowHosts (then any address it resolves to is accepted). */
  hostAllowed(hostname: string): boolean;
  /** Checks one address (a literal host or a resolved one) against allowHosts, then its class. */
  checkAddress(address: string): Verdict;
  /** Checks every address a host resolved to: one refused address refuses the host. */
  checkResolved(hostname: string, addresses: readonly string[]): Verdict;
}

/** Strips brackets and trailing dots and lowercases, so URL hosts and config entries compare equal. */
export function normalizeHost(host: string): string {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.+$/, "");
}

/** Compiles a policy once. Entries that are neither IP literals nor CIDRs are taken as host names. */
export function compilePolicy(policy: OutboundPolicy): AddressPolicy {
  const names = new Set<string>();
  const ranges: [Addr, number][] = [];
  for (const entry of policy.allowHosts) {
    const e = normalizeHost(entry.trim());
    if (e.includes("/") && ipaddr.isValidCIDR(e)) ranges.push(ipaddr.parseCIDR(e));
    else if (isIP(e) !== 0) ranges.push([ipaddr.parse(e), isIP(e) === 4 ? 32 : 128]);
    else if (e !== "") names.add(e);
  }

  const inAllowedRange = (address: string): boolean => {
    const forms = [ipaddr.parse(address), ipaddr.process(address)];
    return ranges.some(([net, bits]) => forms.some((f) => f.kind() === net.kind() && f.match(net, bits)));
  };

  /** Null when the address may be reached, else the label of the range that refuses it. */
  const refusedLabel = (address: string): string | null => {
    if (isIP(address) === 0) return "non-IP";
    if (inAllowedRange(address)) return null;
    const cls = classifyAddress(address);
    if (cls.kind === "public" || (cls.kind === "private" && policy.allowPrivate)) return null;
    return cls.label;
  };

  // Remembered per address: the policy never changes, and every callback to a literal-IP receiver (and every
  // submitted URL naming one) is checked again; classifying costs several ipaddr.js parses. Bounded, so that a
  // flood of distinct addresses cannot grow it forever.
  const known = new Map<string, string | null>();
  const labelOf = (address: string): string | null => {
    let label = known.get(address);
    if (label === undefined) {
      label = refusedLabel(address);
      if (known.size >= 1024) known.clear();
      known.set(address, label);
    }
    return label;
  };

  return {
    hostAllowed: (hostname) => names.has(normalizeHost(hostname)),
    checkAddress(address) {
      const label = labelOf(address);
      return label === null ? { ok: true } : { ok: false, reason: `${address} is a ${label} address` };
    },
    checkResolved(hostname, addresses) {
      if (names.has(normalizeHost(hostname))) return { ok: true };
      if (addresses.length === 0) return { ok: false, reason: `${hostname} resolved to no address` };
      for (const address of addresses) {
        const label = labelOf(address);
        if (label !== null)
          return { ok: false, reason: `${hostname} resolves to ${address}, a ${label} address` };
      }
      return { ok: true };
    },
  };
}
