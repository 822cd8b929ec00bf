/**
 * The temp area (issue 9, finding 9): one folder per process, `<pid>-<random>@<place>`. A folder of a dead
 * process of this machine goes at once; folders of live processes, of other machines and of unknown names only
 * lose files older than the stale age, and go themselves once empty and idle for a day. Pids are real: a child
 * that exited, and one that runs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type BlobStore, createLocalBlobStore } from "../../src/files/index.js";
import { parseTempFolderName, tempFolderName, thisProcess } from "../../src/files/temp-area.js";
import { filesUnder } from "../helpers/blobs.js";

const HOUR = 3_600_000;
const STALE = 6 * HOUR;

/** A pid that belonged to a real process, now gone. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
  await new Promise((r) => child.once("exit", r));
  return child.pid ?? 0;
}

describe("temp area", () => {
  let dir: string;
  let tmp: string;
  let store: BlobStore;
  let live: ChildProcess;
  const self = thisProcess();

  beforeAll(() => {
    live = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  });
  afterAll(async () => {
    live.kill("SIGKILL");
    await new Promise((r) => (live.exitCode === null ? live.once("exit", r) : r(null)));
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hookline-temp-area-"));
    tmp = join(dir, "files", "tmp");
    store = await createLocalBlobStore(join(dir, "files"));
    return () => rm(dir, { recursive: true, force: true });
  });

  /** Makes a temp folder named for `place` and `pid` with one fresh file in it. */
  async function folder(pid: number, place = self.place, random = "0badcafe"): Promise<string> {
    const path = join(tmp, tempFolderName({ pid, place }, random));
    await mkdir(path, { recursive: true });
    await writeFile(join(path, "partial.wav"), "RIFF");
    return path;
  }
  const age = async (path: string, ms: number) => {
    const t = new Date(Date.now() - ms);
    await utimes(path, t, t);
  };
  const exists = (path: string) =>
    stat(path).then(
      () => true,
      () => false,
    );

  it("names folders by pid, a random part and the place, and reads the names back", () => {
    expect(parseTempFolderName(tempFolderName({ pid: 42, place: "box-1~4026531836" }, "0123abcd"))).toEqual({
      pid: 42,
      place: "box-1~4026531836",
    });
    for (const bad of ["42", "0-0123abcd@x", "42-0123abcd@", "42-0123abcd@a/b", "x-0123abcd@h", "42-01@h"]) {
      expect(parseTempFolderName(bad), bad).toBeNull();
    }
    expect(parseTempFolderName(store.tempDir.split(/[\\/]/).pop() ?? "")).toEqual(self);
  });

  it("removes a dead process's folder at once, files and all", async () => {
    const dead = await folder(await deadPid());
    const swept = await store.sweepTemp(STALE, Date.now());
    expect(swept.deadFolders).toBe(1);
    expect(await exists(dead)).toBe(false);
  });

  it("keeps a live process's fresh files; only stale ones go, and its folder stays", async () => {
    const path = await folder(live.pid ?? 0);
    const old = join(path, "old.wav");
    await writeFile(old, "RIFF");
    await age(old, STALE + HOUR);
    expect(await store.sweepTemp(STALE, Date.now())).toEqual({
      deadFolders: 0,
      staleFiles: 1,
      idleFolders: 0,
    });
    expect(await filesUnder(path)).toEqual(["partial.wav"]);
  });

  it("leaves another machine's folder to the time-based sweep, then removes it once empty and idle", async () => {
    // A pid that is dead here says nothing about a process on another machine.
    const path = await folder(await deadPid(), "elsewhere");
    expect(await store.sweepTemp(STALE, Date.now())).toEqual({
      deadFolders: 0,
      staleFiles: 0,
      idleFolders: 0,
    });
    expect(await exists(path)).toBe(true);
    const day = 24 * HOUR;
    const swept = await store.sweepTemp(STALE, Date.now() + day + HOUR, day);
    expect(swept).toEqual({ deadFolders: 0, staleFiles: 1, idleFolders: 1 });
    expect(await exists(path)).toBe(false);
  });

  it("treats unknown names and loose files (older versions) by age only", async () => {
    const odd = join(tmp, "not-a-process-folder");
    await mkdir(odd);
    await writeFile(join(odd, "f"), "x");
    await writeFile(join(tmp, "loose.wav"), "x");
    expect((await store.sweepTemp(STALE, Date.now())).staleFiles).toBe(0);
    const swept = await store.sweepTemp(STALE, Date.now() + STALE + HOUR);
    expect(swept.staleFiles).toBe(2);
    expect(await filesUnder(tmp)).toEqual([]);
  });

  it("never removes its own folder, and makes it again if another process did", async () => {
    const swept = await store.sweepTemp(STALE, Date.now() + 30 * 24 * HOUR, 0);
    expect(swept.idleFolders).toBe(0);
    expect(await exists(store.tempDir)).toBe(true);
    await rm(store.tempDir, { recursive: true });
    const path = store.tempPath(".wav");
    await writeFile(path, "RIFF");
    const { key } = await store.commit(path);
    expect(await store.exists(key)).toBe(true);
  });
});
