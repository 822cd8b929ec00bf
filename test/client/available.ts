/**
 * Which families the server serves today, read from its own OpenAPI document: the cover and voice suites run
 * only where their endpoints exist, and say so loudly when they are skipped.
 */
import { startTestHookline } from "../helpers/hookline.js";

export interface Served {
  cover: boolean;
  voice: boolean;
}

let cached: Promise<Served> | null = null;

/** Asks a real in-process server (API only) for its OpenAPI document. */
export function servedFamilies(): Promise<Served> {
  cached ??= (async () => {
    const h = await startTestHookline({ roles: { api: true, runner: false, sender: false } });
    try {
      const doc = (await (await fetch(`${h.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      return {
        cover: "/api/v1/suno/cover/generate" in doc.paths,
        voice: "/api/v1/voice/validate" in doc.paths,
      };
    } finally {
      await h.stop();
    }
  })();
  return cached;
}

/** Prints a notice that cannot be missed in the test output. */
export function notifySkipped(what: string, family: string): void {
  const line = "!".repeat(100);
  process.stderr.write(
    `\n${line}\n!!! SKIPPED: ${what} — the ${family} family is not in this server's OpenAPI document yet.\n!!! It runs by itself once the family is merged.\n${line}\n\n`,
  );
}
