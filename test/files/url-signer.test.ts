import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createUrlSigner } from "../../src/files/index.js";

const secret = new TextEncoder().encode("0123456789abcdef0123456789abcdef");
const T0 = Date.parse("2026-01-01T00:00:00Z");

/** An independent implementation of the signature, so the signer is not checked by itself. */
function expectedSig(fileId: string, expires: string): string {
  return createHmac("sha256", Buffer.from(secret)).update(`${fileId}.${expires}`).digest("base64url");
}

describe("URL signer", () => {
  const signer = createUrlSigner(secret, "https://files.example.com/");

  it("produces the documented URL shape with an HMAC a third party can check", () => {
    const url = new URL(signer.sign("file_abc", "my song.wav", T0 + 60_500));
    expect(url.origin).toBe("https://files.example.com");
    expect(url.pathname).toBe("/files/file_abc/my%20song.wav");
    const expires = url.searchParams.get("expires");
    expect(expires).toBe(String((T0 + 60_000) / 1000)); // rounded down, never later than asked
    expect(url.searchParams.get("signature")).toBe(expectedSig("file_abc", expires ?? ""));
  });

  it("checks signature before expiry", () => {
    const exp = String((T0 + 60_000) / 1000);
    const sig = expectedSig("file_abc", exp);
    expect(signer.check("file_abc", exp, sig, T0)).toBe("ok");
    expect(signer.check("file_abc", exp, sig, T0 + 60_000)).toBe("expired");
    expect(signer.check("file_abd", exp, sig, T0)).toBe("bad_signature");
    expect(signer.check("file_abc", String(Number(exp) + 1), sig, T0)).toBe("bad_signature");
    expect(signer.check("file_abc", exp, undefined, T0)).toBe("bad_signature");
    expect(signer.check("file_abc", undefined, sig, T0)).toBe("bad_signature");
    expect(signer.check("file_abc", ` ${exp}`, sig, T0)).toBe("bad_signature");
    expect(signer.check("file_abc", exp, `${sig.slice(0, -1)}A`, T0)).toBe("bad_signature");
    expect(signer.check("file_abc", exp, sig.slice(0, -2), T0)).toBe("bad_signature");
    // An expired forgery says "bad signature", not "expired": a forger learns nothing.
    expect(signer.check("file_abc", exp, "x".repeat(43), T0 + 120_000)).toBe("bad_signature");
  });

  it("parses its own URLs back, the name included", () => {
    const url = signer.sign("file_abc", 'naïve "mix" #1?.wav', T0 + 20 * 60_000);
    expect(signer.parse(url)).toEqual({
      fileId: "file_abc",
      fileName: 'naïve "mix" #1?.wav',
      expiresAtMs: T0 + 20 * 60_000,
    });
  });

  it("still parses an expired URL of its own (the caller judges expiry)", () => {
    const url = signer.sign("file_abc", "a.wav", T0 - 1000);
    expect(signer.parse(url)?.expiresAtMs).toBe(T0 - 1000);
  });

  it("refuses foreign URLs and bad signatures in parse", () => {
    const own = signer.sign("file_abc", "a.wav", T0 + 60_000);
    const u = new URL(own);
    const tweak = (f: (x: URL) => void): string => {
      const x = new URL(own);
      f(x);
      return x.toString();
    };
    expect(signer.parse("not a url")).toBeNull();
    expect(signer.parse(tweak((x) => (x.host = "evil.example.com")))).toBeNull();
    expect(signer.parse(tweak((x) => (x.protocol = "http:")))).toBeNull();
    expect(signer.parse(tweak((x) => (x.port = "8443")))).toBeNull();
    expect(signer.parse(tweak((x) => (x.pathname = `/other${u.pathname}`)))).toBeNull();
    expect(signer.parse(tweak((x) => (x.pathname = "/files/file_abc/a.wav/extra")))).toBeNull();
    expect(signer.parse(tweak((x) => (x.pathname = "/files/file_abd/a.wav")))).toBeNull();
    expect(signer.parse(tweak((x) => x.searchParams.set("expires", "9999999999")))).toBeNull();
    expect(signer.parse(tweak((x) => x.searchParams.delete("signature")))).toBeNull();
    // The same path signed with another secret is foreign too.
    const other = createUrlSigner(new Uint8Array(32).fill(1), "https://files.example.com");
    expect(signer.parse(other.sign("file_abc", "a.wav", T0 + 60_000))).toBeNull();
    // The host is compared case-insensitively, as URLs are.
    expect(signer.parse(own.replace("files.example.com", "FILES.example.com"))).not.toBeNull();
  });

  it("honours a path prefix in the public URL", () => {
    const proxied = createUrlSigner(secret, "https://example.com/hookline/");
    const url = proxied.sign("file_x", "a.wav", T0 + 60_000);
    expect(new URL(url).pathname).toBe("/hookline/files/file_x/a.wav");
    expect(proxied.parse(url)?.fileId).toBe("file_x");
    expect(proxied.parse(url.replace("/hookline/", "/"))).toBeNull();
    expect(signer.parse(url)).toBeNull();
  });

  it("refuses a short secret", () => {
    expect(() => createUrlSigner(new Uint8Array(8), "https://x.example")).toThrow();
  });
});
