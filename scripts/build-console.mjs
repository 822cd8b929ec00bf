#!/usr/bin/env node
/**
 * Builds the web console (src/console/ui) into dist/console: one bundle and one stylesheet with esbuild, named by
 * their content hash, an index.html that names them, and gzip and brotli copies that the server sends to browsers
 * that accept them. Type-checks the front end first (tsc with its own tsconfig: DOM, Preact's JSX). Prints the
 * compressed size of what the first page load fetches (issue 12: under 150 KB).
 *
 * Usage: node scripts/build-console.mjs [--no-check]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ui = join(root, "src", "console", "ui");
const out = join(root, "dist", "console");

if (!process.argv.includes("--no-check")) {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", join(ui, "tsconfig.json")], { stdio: "inherit" });
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: { app: join(ui, "main.tsx"), style: join(ui, "styles.css") },
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022"],
  jsx: "automatic",
  jsxImportSource: "preact",
  entryNames: "[name].[hash]",
  outdir: out,
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

const names = Object.keys(result.metafile.outputs).map((p) => p.split("/").pop() ?? "");
const js = names.find((n) => n.startsWith("app.") && n.endsWith(".js"));
const css = names.find((n) => n.startsWith("style.") && n.endsWith(".css"));
if (!js || !css) throw new Error(`esbuild wrote ${names.join(", ")}: no app bundle or stylesheet`);
const html = readFileSync(join(ui, "index.html"), "utf8").replace("{{js}}", js).replace("{{css}}", css);
writeFileSync(join(out, "index.html"), html);

let firstLoad = 0;
for (const name of [js, css, "index.html"]) {
  const bytes = readFileSync(join(out, name));
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  writeFileSync(join(out, `${name}.br`), br);
  writeFileSync(join(out, `${name}.gz`), gzipSync(bytes, { level: 9 }));
  firstLoad += br.length;
}
console.log(`console: dist/console (${js}, ${css}); first load ${(firstLoad / 1024).toFixed(1)} KB brotli`);
