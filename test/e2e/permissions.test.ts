/**
 * Permissions of the data folder (issue 9, finding 9): `hookline.db` holds the webhook keys and the URL signing
 * key. A new installation is made 0700 (folders) and 0600 (database, -wal, -shm, blobs); an existing one that is
 * open to other users is restricted at start-up, with a warning. `hookline keys create` next to the running
 * server keeps working, and its key is accepted at once.
 */
import { chmod, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type TmpDir, tmpDir } from "../helpers/audio.js";
import { filesUnder } from "../helpers/blobs.js";
import {
  createKeyWithCli,
  type HooklineProcess,
  killAllChildren,
  startHooklineProcess,
} from "../helpers/process.js";
import { client } from "./support.js";

const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

describe.skipIf(process.platform === "win32")("permissions of the data folder", () => {
  let dir: TmpDir | null = null;

  afterAll(async () => {
    await killAllChildren();
    await dir?.cleanup();
  });

  it("new: 0700 folders, 0600 files; old and open: restricted at start with a warning", {
    timeout: 90_000,
  }, async () => {
    dir = await tmpDir("e2e-perms");
    const data = join(dir.path, "data");
    const db = join(data, "hookline.db");
    const env = { HOOKLINE_DATA_DIR: data, HOOKLINE_LOG_LEVEL: "warn" };
    const serve = async () => startHooklineProcess({ env });

    /** Every mode that matters, while a server runs (so the -wal and -shm exist). */
    async function modes() {
      const files = join(data, "files");
      const blobs = (await filesUnder(files)).filter((p) => !p.startsWith("tmp"));
      return {
        data: await mode(data),
        db: await mode(db),
        wal: await mode(`${db}-wal`),
        shm: await mode(`${db}-shm`),
        files: await mode(files),
        tmp: await mode(join(files, "tmp")),
        blobs: [...new Set(await Promise.all(blobs.map((b) => mode(join(files, b)))))],
        shards: [...new Set(await Promise.all(blobs.map((b) => mode(join(files, b, "..")))))],
      };
    }
    const strict = { data: "700", db: "600", wal: "600", shm: "600", files: "700", tmp: "700" };

    let keys = 0;
    async function keyWorks(server: HooklineProcess): Promise<void> {
      // Live key names are unique: one per call.
      const key = await createKeyWithCli(env, `next-to-the-server-${++keys}`);
      const api = client(server.url, key.apiKey);
      expect((await api.call("/api/v1/generate/credit")).code).toBe(200);
      const up = await api.call("/api/file-base64-upload", {
        json: { base64Data: Buffer.from("not audio").toString("base64"), uploadPath: "p" },
      });
      expect(up.code, JSON.stringify(up)).toBe(200);
    }

    // A new installation.
    let server = await serve();
    await keyWorks(server);
    expect(await modes()).toMatchObject({ ...strict, blobs: ["600"], shards: ["700"] });
    expect(server.output()).not.toMatch(/HOOKLINE_PERMISSIONS|open to other users/);

    // As an older version left it: everything readable by others, the -wal and -shm of a killed server too.
    await server.stop("SIGKILL");
    for (const p of [data, join(data, "files"), join(data, "files", "tmp")]) await chmod(p, 0o755);
    for (const p of [db, `${db}-wal`, `${db}-shm`]) await chmod(p, 0o644);
    server = await serve();
    expect(await modes()).toMatchObject(strict);
    const out = server.output();
    expect(out).toMatch(/\[HOOKLINE_PERMISSIONS\].*hookline\.db was readable by other users \(mode 644\)/);
    expect(out).toMatch(/hookline\.db-wal was readable/);
    expect(out).toMatch(/files was readable by other users \(mode 755\)/);
    expect(out).toMatch(/the data folder was open to other users/);
    await keyWorks(server);
    expect(await modes()).toMatchObject(strict);
    expect((await server.stop()).code).toBe(0);
  });
});
