import { readlinkSync } from "node:fs";
import { readdir, rm, rmdir, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { errnoCode, isNotFound } from "./fs-util.js";

/**
 * The temp area, `root/tmp`, holds one folder per process, named `<pid>-<random>@<place>`: partial outputs
 * (a WAV being written, a download) of a process that died are found by their folder and removed as a whole.
 *
 * `place` names the machine whose process table the pid belongs to: the hostname, and on Linux the pid
 * namespace as well, because containers on one machine may share a hostname and a data folder while each counts
 * pids from 1. Only a folder of the same place can be judged dead by its pid; folders of other places (another
 * machine on a network folder, another container) are left to the time-based sweep.
 */
export interface TempOwner {
  readonly place: string;
  readonly pid: number;
}

const NAME = /^([1-9][0-9]{0,9})-([0-9a-f]{8})@([A-Za-z0-9._~-]{1,80})$/;

/** This process, as temp folder names record it. */
export function thisProcess(): TempOwner {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9.-]/g, "_")
      .slice(0, 63) || "host";
  let ns = "";
  try {
    // "pid:[4026531836]": the same for every process that sees the same pids.
    ns = /\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/pid"))?.[1] ?? "";
  } catch {
    /* not Linux, or /proc not mounted: the hostname alone names the place */
  }
  return { place: ns ? `${host}~${ns}` : host, pid: process.pid };
}

/** The folder name for `owner`; `random` (8 hex digits) keeps two stores of one process apart. */
export const tempFolderName = (owner: TempOwner, random: string): string =>
  `${owner.pid}-${random}@${owner.place}`;

/** The owner a temp folder name records, or null for a name this scheme did not make. */
export function parseTempFolderName(name: string): TempOwner | null {
  const m = NAME.exec(name);
  return m?.[1] && m[3] ? { pid: Number(m[1]), place: m[3] } : null;
}

/** True only when no process has this pid (ESRCH); EPERM means one runs under another user. */
export function isGone(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return errnoCode(error) === "ESRCH";
  }
}

export interface TempSweep {
  /** Folders of processes of this place that are gone, removed with everything in them. */
  deadFolders: number;
  /** Files older than `staleMs` anywhere else (the time-based sweep), this process's own included. */
  staleFiles: number;
  /** Empty folders of other processes untouched for `idleFolderMs`. */
  idleFolders: number;
}

/**
 * Sweeps `tmpRoot`: removes the folders of dead processes of this place at once, and elsewhere files older than
 * `staleMs`; an empty folder of another process goes after `idleFolderMs` (its owner, if alive, makes it again).
 */
export async function sweepTempArea(
  tmpRoot: string,
  own: string,
  self: TempOwner,
  opts: { now: number; staleMs: number; idleFolderMs: number },
): Promise<TempSweep> {
  const out: TempSweep = { deadFolders: 0, staleFiles: 0, idleFolders: 0 };
  for (const entry of await readdir(tmpRoot, { withFileTypes: true })) {
    const path = join(tmpRoot, entry.name);
    if (entry.isFile()) {
      // A loose file: left by a version that wrote temp files straight into tmp/.
      if (await removeIfOlder(path, opts.now - opts.staleMs)) out.staleFiles++;
      continue;
    }
    if (!entry.isDirectory()) continue;
    const owner = entry.name === own ? null : parseTempFolderName(entry.name);
    if (owner && owner.place === self.place && isGone(owner.pid)) {
      await rm(path, { recursive: true, force: true });
      out.deadFolders++;
      continue;
    }
    let left = 0;
    for (const file of await readdir(path, { withFileTypes: true }).catch(emptyIfGone)) {
      if (await removeIfOlder(join(path, file.name), opts.now - opts.staleMs)) out.staleFiles++;
      else left++;
    }
    if (entry.name !== own && left === 0 && (await removeIdleFolder(path, opts.now - opts.idleFolderMs))) {
      out.idleFolders++;
    }
  }
  return out;
}

async function removeIfOlder(path: string, before: number): Promise<boolean> {
  try {
    const s = await stat(path);
    if (!s.isFile() || s.mtimeMs >= before) return false;
    await rm(path, { force: true });
    return true;
  } catch (error) {
    // A writer may commit or remove its temp file while we look: that is not an error.
    if (isNotFound(error)) return false;
    throw error;
  }
}

async function removeIdleFolder(path: string, before: number): Promise<boolean> {
  try {
    if ((await stat(path)).mtimeMs >= before) return false;
    // rmdir, not rm: a file made in it since we looked keeps the folder.
    await rmdir(path);
    return true;
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT" || code === "ENOTEMPTY" || code === "EEXIST") return false;
    throw error;
  }
}

function emptyIfGone(error: unknown): never[] {
  if (isNotFound(error)) return [];
  throw error;
}
