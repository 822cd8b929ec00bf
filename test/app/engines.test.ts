/**
 * The Node versions the package says it runs on are the ones its dependencies say they run on: npm warns
 * (EBADENGINE) at install when a locked dependency wants a newer Node than the user's, and a dependency that wants
 * Node 22 may load code Node 20 cannot (an ESM-only package through require(esm), in Node 20 only from 20.19).
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import semver from "semver";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

interface LockEntry {
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly engines?: { readonly node?: string } | readonly string[];
}

describe("engines", () => {
  it("every dependency the package installs accepts the oldest Node of each line the package declares", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, LockEntry>;
    };
    // The oldest version of each line the package accepts (`^20.18.1 || ^22.0.0 || ^24.0.0` → three).
    const floors = pkg.engines.node.split("||").map((range) => semver.minVersion(range.trim())?.version);
    expect(floors.length).toBeGreaterThanOrEqual(3);
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      // A development tool's wish does not reach users, who install without dev dependencies.
      if (path === "" || entry.dev === true || entry.optional === true) continue;
      const wanted =
        entry.engines && !Array.isArray(entry.engines) && "node" in entry.engines
          ? entry.engines.node
          : undefined;
      if (typeof wanted !== "string") continue;
      for (const floor of floors)
        if (floor && !semver.satisfies(floor, wanted))
          refused.push(`${path} wants node ${wanted}, not ${floor}`);
    }
    expect(refused).toEqual([]);
  });
});
