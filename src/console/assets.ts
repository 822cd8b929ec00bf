import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where the built console is: `dist/console` of the package this file belongs to (found by its package.json, so
 * that it is the same whether this runs compiled from dist/src or from the sources under a test runner). Null
 * when the front end was not built (`npm run build` builds it): /console then says so rather than the server
 * failing to start.
 */
export function consoleAssetsDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  const built = join(dir, "dist", "console");
  return existsSync(join(built, "index.html")) ? built : null;
}
