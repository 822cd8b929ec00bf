import { type Config, loadConfig, processEnv } from "../config/index.js";
import { createLink, LINK_MS } from "../console/index.js";
import { systemClock } from "../lib/clock.js";
import { openStore } from "../store/index.js";
import { parseFlags } from "./flags.js";

const USAGE = `Usage: hookline console-link [--json]
Prints a one-time link that signs this browser into the web console as the operator (keys, for every tenant).
It works once, for ${LINK_MS / 60_000} minutes, on any server sharing this database; it needs no admin token.`;

/** `hookline console-link`: an operator's way in without HOOKLINE_ADMIN_TOKEN, for whoever can reach the database. */
export async function consoleLink(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { json: { type: "boolean" } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config: Config = loadConfig(processEnv(), values);
  const store = await openStore(config.database);
  try {
    const token = await createLink(store.db, systemClock.now());
    const url = `${config.publicUrl.replace(/\/$/, "")}/console/link?token=${token}`;
    process.stdout.write(
      values.json === true ? `${JSON.stringify({ url, expiresInS: LINK_MS / 1000 })}\n` : `${url}\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
