import { describe, expect, it } from "vitest";
import { classifyAddress, compilePolicy } from "../../src/net/address-policy.js";

describe("classifyAddress", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["2606:4700:4700::1111", "public"],
    ["127.0.0.1", "private"],
    ["10.0.0.1", "private"],
    ["172.16.5.4", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["::1", "private"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["::ffff:127.0.0.1", "private"],
    ["::ffff:8.8.8.8", "public"],
    ["169.254.169.254", "forbidden"],
    ["169.254.1.1", "forbidden"],
    ["fe80::1", "forbidden"],
    ["fd00:ec2::254", "forbidden"],
    ["100.100.100.200", "forbidden"],
    ["::ffff:169.254.169.254", "forbidden"],
    ["0.0.0.0", "forbidden"],
    ["::", "forbidden"],
    ["255.255.255.255", "forbidden"],
    ["224.0.0.1", "forbidden"],
    ["ff02::1", "forbidden"],
    ["240.0.0.1", "forbidden"],
    ["192.0.2.1", "forbidden"],
    ["2001:db8::1", "forbidden"],
    ["::7f00:1", "forbidden"], // IPv4-compatible ::127.0.0.1
    ["2002:7f00:1::", "forbidden"], // 6to4 of 127.0.0.1
    ["2002:0808:0808::1", "public"], // 6to4 of 8.8.8.8
    ["64:ff9b::a00:1", "forbidden"], // NAT64 of 10.0.0.1
    ["64:ff9b::808:808", "public"], // NAT64 of 8.8.8.8
    ["64:ff9b:1::1", "forbidden"], // local-use NAT64
    ["::ffff:0:7f00:1", "forbidden"], // IPv4-translated 127.0.0.1
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "forbidden"], // Teredo
    ["4000::1", "forbidden"], // outside 2000::/3
  ])("%s is %s", (address, kind) => {
    expect(classifyAddress(address).kind).toBe(kind);
  });
});

describe("compilePolicy", () => {
  it("refuses private addresses by default and names the range", () => {
    const p = compilePolicy({ allowHosts: [], allowPrivate: false });
    expect(p.checkAddress("93.184.216.34")).toEqual({ ok: true });
    expect(p.checkAddress("10.1.2.3")).toEqual({ ok: false, reason: "10.1.2.3 is a private address" });
  });

  it("allowPrivate opens loopback, private, unique-local and CGNAT, never link-local or metadata", () => {
    const p = compilePolicy({ allowHosts: [], allowPrivate: true });
    for (const a of ["127.0.0.1", "10.0.0.1", "fd12::1", "100.64.0.1", "::1", "::ffff:192.168.0.1"]) {
      expect(p.checkAddress(a).ok, a).toBe(true);
    }
    for (const a of ["169.254.169.254", "fe80::1", "fd00:ec2::254", "100.100.100.200", "0.0.0.0"]) {
      expect(p.checkAddress(a).ok, a).toBe(false);
    }
  });

  it("allowHosts opens IP literals, CIDRs (also for IPv4-mapped forms) and host names", () => {
    const p = compilePolicy({
      allowHosts: ["10.0.0.7", "192.168.0.0/16", "[::1]", "Receiver.Test."],
      allowPrivate: false,
    });
    expect(p.checkAddress("10.0.0.7").ok).toBe(true);
    expect(p.checkAddress("10.0.0.8").ok).toBe(false);
    expect(p.checkAddress("192.168.44.1").ok).toBe(true);
    expect(p.checkAddress("::ffff:192.168.44.1").ok).toBe(true);
    expect(p.checkAddress("::1").ok).toBe(true);
    expect(p.hostAllowed("receiver.test")).toBe(true);
    expect(p.checkResolved("RECEIVER.test", ["169.254.169.254"]).ok).toBe(true);
  });

  it("refuses a host when any one of its addresses is refused", () => {
    const p = compilePolicy({ allowHosts: [], allowPrivate: false });
    expect(p.checkResolved("mixed.test", ["8.8.8.8", "10.0.0.1"])).toEqual({
      ok: false,
      reason: "mixed.test resolves to 10.0.0.1, a private address",
    });
    expect(p.checkResolved("empty.test", []).ok).toBe(false);
  });

  it("remembers verdicts per address and stays right once its bounded memory starts over", () => {
    const p = compilePolicy({ allowHosts: ["10.9.0.0/16"], allowPrivate: false });
    const verdicts = () => [
      p.checkAddress("10.0.0.1"),
      p.checkAddress("10.9.1.1"),
      p.checkAddress("8.8.8.8"),
    ];
    const first = verdicts();
    expect(first.map((v) => v.ok)).toEqual([false, true, true]);
    expect(verdicts()).toEqual(first);
    // More distinct addresses than it keeps: the memory is dropped and refilled, the answers do not change.
    for (let i = 0; i < 3000; i++) p.checkAddress(`10.${(i >> 8) & 255}.${i & 255}.7`);
    expect(verdicts()).toEqual(first);
    expect(p.checkResolved("mixed.test", ["8.8.8.8", "10.0.0.1"]).ok).toBe(false);
  });
});
