import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where the built console is: `dist/console` of the package, next to `dist/src` this file is compiled into. Null
 * when the front end was not built (`npm run build` builds it): the server then answers /console with a page
 * that says so rather than failing to start.
 */
export function consoleAssetsDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url)); // dist/src/console
  const dir = join(here, "..", "..", "console");
  return existsSync(join(dir, "index.html")) ? dir : null;
}
