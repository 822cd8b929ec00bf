import { createHmac, timingSafeEqual } from "node:crypto";
import { wellFormed } from "./headers.js";

/**
 * Signs and checks download URLs (DESIGN invariant 6):
 * `${publicUrl}/files/${fileId}/${encodeURIComponent(fileName)}?expires=<unix s>&signature=<sig>`,
 * where sig is base64url HMAC-SHA256(secret, `${fileId}.${expires}`). The file name is decoration:
 * the server takes the name from its own records, so changing it in the URL gains nothing.
 */
export interface UrlSigner {
  /** A URL valid until `expiresAtMs` (rounded down to the second, so never later than asked). */
  sign(fileId: string, fileName: string, expiresAtMs: number): string;
  /** Checks the query of a download request. A bad signature wins over expiry, so forgeries learn nothing. */
  check(
    fileId: string,
    expires: string | undefined,
    signature: string | undefined,
    nowMs: number,
  ): "ok" | "bad_signature" | "expired";
  /**
   * Parses a URL this signer produced; null for a foreign URL (other origin or path) or a bad
   * signature. Expiry is not judged here: the caller compares `expiresAtMs` with its clock.
   */
  parse(url: string): { fileId: string; fileName: string; expiresAtMs: number } | null;
  /** The base URL links start with. */
  readonly publicUrl: string;
  /**
   * Moves links to another base URL. Only for start-up: a server asked to listen on port 0 learns its port after
   * the services exist, and its default public URL names that port (links made earlier would still verify).
   */
  rebase(publicUrl: string): void;
}

const EXPIRES_RE = /^\d{1,13}$/;

/**
 * Makes a signer for URLs under `publicUrl` (which may carry a path prefix, e.g. behind a proxy).
 *
 * @example
 * const signer = createUrlSigner(secret, "https://files.example.com");
 * signer.sign("file_abc", "song.wav", clock.now() + 20 * 60_000);
 */
export function createUrlSigner(secret: Uint8Array, publicUrl: string): UrlSigner {
  if (secret.byteLength < 16) throw new Error("the URL signing secret must be at least 16 bytes");
  let origin = "";
  let prefix = "";
  let current = "";
  const rebase = (url: string): void => {
    const base = new URL(url);
    origin = base.origin;
    prefix = `${base.pathname.replace(/\/+$/, "")}/files/`;
    current = url;
  };
  rebase(publicUrl);

  const mac = (fileId: string, expires: string): string =>
    createHmac("sha256", secret).update(`${fileId}.${expires}`).digest("base64url");

  const signatureOk = (
    fileId: string,
    expires: string | undefined,
    signature: string | undefined,
  ): boolean => {
    if (expires === undefined || signature === undefined || !EXPIRES_RE.test(expires)) return false;
    // Compare the canonical text, not decoded bytes: base64url decoding is lenient in its last character.
    const expected = Buffer.from(mac(fileId, expires));
    const given = Buffer.from(signature);
    return given.byteLength === expected.byteLength && timingSafeEqual(given, expected);
  };

  return {
    get publicUrl() {
      return current;
    },
    rebase,
    sign(fileId, fileName, expiresAtMs) {
      const expires = String(Math.floor(expiresAtMs / 1000));
      const name = encodeURIComponent(wellFormed(fileName) || "download");
      const query = `expires=${expires}&signature=${mac(fileId, expires)}`;
      return `${origin}${prefix}${encodeURIComponent(fileId)}/${name}?${query}`;
    },

    check(fileId, expires, signature, nowMs) {
      if (!signatureOk(fileId, expires, signature)) return "bad_signature";
      return nowMs >= Number(expires) * 1000 ? "expired" : "ok";
    },

    parse(url) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        return null;
      }
      if (u.origin !== origin || !u.pathname.startsWith(prefix)) return null;
      const parts = u.pathname.slice(prefix.length).split("/");
      if (parts.length !== 2) return null;
      const fileId = decode(parts[0]);
      const fileName = decode(parts[1]);
      if (!fileId || fileName === null) return null;
      const expires = u.searchParams.get("expires") ?? undefined;
      if (!signatureOk(fileId, expires, u.searchParams.get("signature") ?? undefined)) return null;
      return { fileId, fileName, expiresAtMs: Number(expires) * 1000 };
    },
  };
}

function decode(part: string | undefined): string | null {
  if (part === undefined) return null;
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}
