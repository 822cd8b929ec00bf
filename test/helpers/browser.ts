/**
 * Headless Chromium for the console's end-to-end tests: Debian's `chromium` driven by playwright-core (nothing is
 * downloaded), with axe-core's accessibility check and a record of Content-Security-Policy violations.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.HOOKLINE_TEST_CHROMIUM ?? "/usr/bin/chromium";

/** Whether the browser is installed (`.ci/run` installs Debian's chromium; the tests say loudly when it is not). */
export const hasChromium = existsSync(CHROMIUM);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--mute-audio"],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** One accessibility rule a page breaks, as axe-core reports it. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/**
 * Runs axe-core in the page (through the DevTools protocol, so the page's CSP, which forbids injected scripts,
 * stays in force for the page's own) and answers the serious and critical violations.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe;
    const r = await axe.run();
    return JSON.stringify(r.violations);
  });
  const violations = JSON.parse(found) as {
    id: string;
    impact: string | null;
    help: string;
    nodes: { target: string[] }[];
  }[];
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.flatMap((n) => n.target) }));
}

/** Collects the page's console errors (a CSP violation is one) and requests to other origins. */
export function watchPage(page: Page, origin: string): { errors: string[]; foreign: string[] } {
  const seen = { errors: [] as string[], foreign: [] as string[] };
  page.on("console", (m) => {
    if (m.type() === "error") seen.errors.push(m.text());
  });
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:"))
      seen.foreign.push(url);
  });
  return seen;
}
