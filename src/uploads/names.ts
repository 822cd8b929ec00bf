import { extname } from "node:path";
import { HooklineError } from "../lib/errors.js";
import { RANDOM_NAME_LENGTH, randomToken } from "../lib/ids.js";

const EXT_BY_MIME: Record<string, string> = {
  "audio/mpeg": ".mp3",
  "audio/flac": ".flac",
  "audio/ogg": ".ogg",
  "audio/webm": ".webm",
  "video/webm": ".webm",
  "audio/wav": ".wav",
  "audio/x-wav": ".wav",
  "audio/mp4": ".m4a",
  "audio/aac": ".aac",
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "application/pdf": ".pdf",
};

/** True when the text holds a control character or a backslash (never part of a path we store). */
const unsafeChars = (s: string): boolean => [...s].some((c) => c.charCodeAt(0) < 0x20 || c === "\\");

/** Checks `uploadPath` (spec 7.1: no leading or trailing slash) and refuses anything that could climb folders. */
export function checkUploadPath(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "")
    throw new HooklineError("bad_request", "uploadPath is required");
  const path = value.trim();
  if (path.startsWith("/") || path.endsWith("/")) {
    throw new HooklineError("bad_request", "uploadPath must not start or end with '/'");
  }
  if (
    path.length > 200 ||
    path.split("/").some((s) => s === "" || s === "." || s === "..") ||
    unsafeChars(path)
  ) {
    throw new HooklineError("bad_request", "uploadPath is not a valid folder path");
  }
  return path;
}

/**
 * Checks a client's `fileName` (optional, spec 7.1): answers it trimmed, or null when absent or blank. Called
 * before any byte is stored when the name arrives first, so a refused name costs no disk.
 */
export function checkFileName(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new HooklineError("bad_request", "fileName must be a string");
  const name = value.trim();
  if (name === "") return null;
  if (name.length > 200 || name.includes("/") || unsafeChars(name) || name === "." || name === "..") {
    throw new HooklineError("bad_request", "fileName must be a plain file name");
  }
  return name;
}

/**
 * The stored file name: the client's (already checked by {@link checkFileName}), else a random name that keeps
 * the source's extension (spec 13), else one from the sniffed type.
 */
export function chooseFileName(checked: string | null, hint: string | null, mimeType: string): string {
  if (checked !== null) return checked;
  const fromHint = hint ? extname(hint).toLowerCase() : "";
  const ext = /^\.[a-z0-9]{1,8}$/.test(fromHint) ? fromHint : (EXT_BY_MIME[mimeType] ?? "");
  return `${randomToken(RANDOM_NAME_LENGTH)}${ext}`;
}
