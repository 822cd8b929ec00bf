import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The version in the package.json of the package this file belongs to, found by walking up: the binary runs as
 * dist/src/cli/main.js and the tests may run the sources, so no fixed relative path fits both. A JSON import is
 * not used because it would make tsc copy package.json into dist, outside the published files.
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) return "unknown";
    dir = up;
  }
  const parsed: unknown = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const version =
    typeof parsed === "object" && parsed !== null && "version" in parsed ? parsed.version : undefined;
  return typeof version === "string" ? version : "unknown";
}
