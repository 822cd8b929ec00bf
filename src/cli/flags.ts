import { parseArgs } from "node:util";
import { OPTIONS } from "../config/index.js";

type ParseOptions = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

/** Every setting is also a flag (`--port 4000`, `--dev`); a command may add its own. */
export function parseFlags(args: string[], extra: ParseOptions = {}) {
  const options: ParseOptions = { help: { type: "boolean", short: "h" }, ...extra };
  for (const spec of Object.values(OPTIONS)) {
    options[spec.flag] = { type: spec.isSwitch ? "boolean" : "string" };
  }
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
  return { values: values as Record<string, string | boolean | undefined>, positionals };
}
