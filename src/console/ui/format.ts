/** "3 min ago" from an ISO time (the list's age column). */
export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** A local date and time, to the second. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { hour12: false });
}

/** Every http(s) URL in a JSON value, with the name of the field it was found under. */
export function urlsIn(value: unknown, field = ""): { field: string; url: string }[] {
  if (typeof value === "string") return /^https?:\/\//i.test(value) ? [{ field, url: value }] : [];
  if (Array.isArray(value)) return value.flatMap((v) => urlsIn(v, field));
  if (typeof value === "object" && value !== null)
    return Object.entries(value).flatMap(([k, v]) => urlsIn(v, k));
  return [];
}

/** Classifies a result URL by its field name and path: shown as an image, an audio player, or a link. */
export function mediaKind(field: string, url: string): "image" | "audio" | "link" {
  const path = url.split("?")[0]?.toLowerCase() ?? "";
  if (/\.(png|jpe?g|webp)$/.test(path) || /image|cover/i.test(field)) return "image";
  if (/\.(wav|mp3|m4a|ogg|opus|flac|webm)$/.test(path) || /audio|wav|voice/i.test(field)) return "audio";
  return "link";
}

/**
 * A Hookline file link as a path on this origin. Links carry the server's public URL, which may name another host
 * than the one the console was opened at (`localhost` against `127.0.0.1`, an internal name behind a proxy); the
 * signature covers the path and query only, and the page's policy lets media come from its own origin.
 */
export function sameOrigin(url: string): string {
  try {
    const u = new URL(url, window.location.href);
    return u.pathname.startsWith("/files/") ? `${u.pathname}${u.search}` : url;
  } catch {
    return url;
  }
}
