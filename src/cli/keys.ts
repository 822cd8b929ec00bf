import { CLIENT_OPTIONS, type Config, loadConfig, OPTIONS, processEnv } from "../config/index.js";
import { setCredits } from "../credits/index.js";
import {
  createKey,
  findKey,
  listKeys,
  revokeKey,
  rotateWebhookKey,
  setHmac,
  setRateLimit,
  setSimulation,
} from "../keys/index.js";
import { systemClock } from "../lib/clock.js";
import { HooklineError } from "../lib/errors.js";
import { formatSimulation, parseSimulation } from "../simulation/index.js";
import { openStore } from "../store/index.js";
import { parseFlags } from "./flags.js";

const USAGE = `Usage:
  hookline keys create --name NAME [--json|--env] [--no-hmac] [--credits N]
                                      --env: HOOKLINE_API_KEY=… and HOOKLINE_WEBHOOK_KEY=… lines for a shell
  hookline keys ls [--json]
  hookline keys revoke KEY            (key id, name or API key)
  hookline keys rotate-webhook-key KEY [--json]
  hookline keys hmac on|off KEY
  hookline keys credits KEY N|+N|unlimited   set a balance, add to it, or remove it (unlimited)
  hookline keys simulate KEY SPEC|off         make this key's tasks simulate failures, e.g. "fail=501,duplicate=1"
  hookline keys rate-limit KEY N|off|default  API requests per minute for this key (off: none; default: ${OPTIONS.rateLimit.env})
Works with or without a running server (same data folder / ${OPTIONS.databaseUrl.env}).`;

function print(value: unknown, json: boolean, text: string) {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

/** The balance `keys credits` sets: N, the current one plus N (+N), or null for "unlimited". */
function nextBalance(amount: string | undefined, current: number | null): number | null {
  if (amount === "unlimited") return null;
  const add = amount?.startsWith("+") === true;
  const n = Number(add ? amount!.slice(1) : amount);
  if (amount === undefined || amount === "" || !Number.isInteger(n) || n < 0) {
    throw new HooklineError("bad_request", "usage: hookline keys credits KEY N|+N|unlimited (whole numbers)");
  }
  return add ? (current ?? 0) + n : n;
}

/** `hookline keys …`: manages API keys straight in the database (spec 13). */
export async function keys(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    name: { type: "string" },
    json: { type: "boolean" },
    env: { type: "boolean" },
    "no-hmac": { type: "boolean" },
    credits: { type: "string" },
  });
  const [verb, ...rest] = positionals;
  if (values.help || !verb) {
    process.stdout.write(`${USAGE}\n`);
    return verb ? 0 : 2;
  }
  const config: Config = loadConfig(processEnv(), values);
  const store = await openStore(config.database);
  const json = values.json === true;
  try {
    switch (verb) {
      case "create": {
        const name = typeof values.name === "string" ? values.name : "";
        if (!name) throw new HooklineError("bad_request", "--name is required");
        const credits = typeof values.credits === "string" ? Number(values.credits) : null;
        if (credits !== null && (!Number.isInteger(credits) || credits < 0))
          throw new HooklineError("bad_request", "--credits must be a whole number");
        const key = await createKey(store, systemClock, {
          name,
          hmacEnabled: values["no-hmac"] !== true,
          credits,
        });
        if (values.env === true) {
          // Lines a shell can load (`set -a; . ./dev.env; set +a`), named as the client commands read them.
          process.stdout.write(
            `${CLIENT_OPTIONS.apiKey.env}=${key.apiKey}\n${CLIENT_OPTIONS.webhookKeys.env}=${key.webhookHmacKey}\n`,
          );
          return 0;
        }
        print(
          key,
          json,
          `API key:          ${key.apiKey}\nWebhook HMAC key: ${key.webhookHmacKey}\nKey id:           ${key.id}\n(shown once: keep them now)`,
        );
        return 0;
      }
      case "ls": {
        const all = await listKeys(store);
        print(
          all,
          json,
          all
            .map(
              (k) =>
                `${k.id}  ${k.hint}  ${k.name}  hmac=${k.hmacEnabled ? "on" : "off"}  credits=${k.credits ?? "unlimited"}${k.rateLimit === null ? "" : `  rate=${k.rateLimit === 0 ? "off" : `${k.rateLimit}/min`}`}${k.simulate ? `  simulate=${k.simulate}` : ""}${k.revokedAt ? "  REVOKED" : ""}`,
            )
            .join("\n") || "(no keys)",
        );
        return 0;
      }
      case "revoke": {
        const key = await revokeKey(store, systemClock, rest[0] ?? "");
        print(key, json, `revoked ${key.id} (${key.name})`);
        return 0;
      }
      case "rotate-webhook-key": {
        const out = await rotateWebhookKey(
          store,
          systemClock,
          rest[0] ?? "",
          config.delivery.rotationGraceMs,
        );
        print(
          out,
          json,
          `New webhook HMAC key: ${out.webhookHmacKey}\nThe old key also signs until ${out.previousKeyValidUntil}.`,
        );
        return 0;
      }
      case "hmac": {
        const [state, ref] = rest;
        if (state !== "on" && state !== "off")
          throw new HooklineError("bad_request", "usage: hookline keys hmac on|off KEY");
        const key = await setHmac(store, ref ?? "", state === "on");
        print(key, json, `HMAC signature headers ${state} for ${key.id}`);
        return 0;
      }
      case "credits": {
        const [ref, amount] = rest;
        const key = await findKey(store, ref ?? "");
        const credits = nextBalance(amount, key.credits === null ? null : Number(key.credits));
        await setCredits(store.db, key.id, credits);
        print(
          { id: key.id, name: key.name, credits },
          json,
          `${key.id} (${key.name}): ${credits === null ? "unlimited" : `${credits} credits`}`,
        );
        return 0;
      }
      case "simulate": {
        const [ref, ...spec] = rest;
        if (!ref || spec.length === 0)
          throw new HooklineError("bad_request", "usage: hookline keys simulate KEY SPEC|off");
        const simulation = parseSimulation(spec.join(","));
        const key = await setSimulation(store, ref, simulation ? formatSimulation(simulation) : null);
        print(
          key,
          json,
          `${key.id} (${key.name}): failure simulation ${formatSimulation(simulation)}${simulation && !config.simulation ? ` (${OPTIONS.simulation.env} is off: servers with this setting ignore it)` : ""}`,
        );
        return 0;
      }
      case "rate-limit": {
        const [ref, value] = rest;
        const rate = value === "default" ? null : value === "off" ? 0 : Number(value);
        if (!ref || (rate !== null && !(Number.isInteger(rate) && rate >= 0)))
          throw new HooklineError("bad_request", "usage: hookline keys rate-limit KEY N|off|default");
        const key = await setRateLimit(store, ref, rate);
        const what = rate === null ? `the server's default (${config.rateLimit.perMinute ?? "none"})` : rate;
        print(
          key,
          json,
          `${key.id} (${key.name}): ${rate === 0 ? "no rate limit" : `rate limit ${what} per minute`}`,
        );
        return 0;
      }
      default:
        process.stderr.write(`unknown command "keys ${verb}"\n${USAGE}\n`);
        return 2;
    }
  } finally {
    await store.close();
  }
}
