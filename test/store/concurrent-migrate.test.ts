import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
// The built store (npm test builds first): each process opens it as `hookline serve` does.
const STORE = pathToFileURL(resolve("dist/src/store/index.js")).href;
const OPEN = `const { openStore } = await import(${JSON.stringify(STORE)});
const store = await openStore({ kind: "sqlite", path: process.argv[1] });
await store.close();`;

/** Two `serve` processes started together on a new SQLite database both migrated it ("index … already exists"). */
describe("SQLite migrations from several processes at once", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it("four processes opening one new database all succeed, and it ends fully migrated once", async () => {
    for (let round = 0; round < 3; round++) {
      const dir = await mkdtemp(join(tmpdir(), "hookline-migrate-"));
      dirs.push(dir);
      const path = join(dir, "hookline.db");
      const opens = Array.from({ length: 4 }, () =>
        run(process.execPath, ["--input-type=module", "-e", OPEN, path], { timeout: 30_000 }),
      );
      const outcomes = await Promise.allSettled(opens);
      expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
      const check = `const { openStore } = await import(${JSON.stringify(STORE)});
const { sql } = await import("kysely");
const store = await openStore({ kind: "sqlite", path: process.argv[1] });
const rows = await sql\`select name from kysely_migration\`.execute(store.db);
console.log(JSON.stringify(rows.rows.map((r) => r.name)));
await store.close();`;
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", check, path]);
      const names: string[] = JSON.parse(stdout);
      expect(new Set(names).size).toBe(names.length);
      expect(names.length).toBeGreaterThanOrEqual(11);
    }
  });
});
