/**
 * The README's settings tables repeat each setting's default for people who read it there: they must say what
 * the options table says (issue 10, "one source of defaults"). Rows whose default is prose ("CPU count", "off")
 * are checked only to name a real setting.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLIENT_OPTIONS, OPTIONS } from "../../src/config/index.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const byEnv = new Map([...Object.values(OPTIONS), ...Object.values(CLIENT_OPTIONS)].map((o) => [o.env, o]));

/** `| \`HOOKLINE_A\` / \`HOOKLINE_B\` | \`1\` / \`2\` | … |` rows: the variables and the default cell. */
const rows = README.split("\n")
  .filter((line) => /^\| `HOOKLINE_/.test(line))
  .map((line) => {
    const [names = "", defaults = ""] = line.split("|").slice(1, 3);
    return {
      line,
      envs: [...names.matchAll(/`(HOOKLINE_[A-Z0-9_]+)`/g)].map((m) => m[1] ?? ""),
      // A default written as code (`60,300,900`); prose defaults have none.
      values: defaults.trim().startsWith("`")
        ? [...defaults.matchAll(/`([^`]*)`/g)].map((m) => m[1] ?? "")
        : [],
    };
  });

describe("the README's settings tables", () => {
  it("list settings", () => {
    expect(rows.length).toBeGreaterThan(20);
  });

  it.each(rows.map((r) => [r.envs.join(" / "), r] as const))(
    "%s: names real settings, with their defaults",
    (_, row) => {
      for (const env of row.envs) expect(byEnv.has(env), `${env} is not in the options table`).toBe(true);
      if (row.values.length === 0) return;
      expect(row.values.length, row.line).toBe(row.envs.length);
      row.envs.forEach((env, i) => {
        expect(row.values[i], `${env} in: ${row.line}`).toBe(byEnv.get(env)?.defaultText);
      });
    },
  );
});
