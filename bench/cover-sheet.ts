/**
 * The contact sheet of the cover styles: generated tracks with titles in several scripts, analysed and rendered by
 * the same code the cover task runs, laid out two covers per track. Writes `docs/covers.png`, so people can see
 * the styles without running the server.
 *
 *   npm run covers:sheet          (builds, then runs node dist/bench/cover-sheet.js)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { composeCovers } from "../src/families/cover/index.js";
import { analyseTrack, keyName } from "../src/media/analysis/index.js";
import { FontCache, rasterise, typeset } from "../src/media/image/index.js";
import { findFfmpeg } from "../src/media/index.js";
import { makeSong, type SongOptions } from "../test/helpers/songs.js";

const CELL = 360;
const GAP = 24;
const LABEL = 56;
const PER_ROW = 2;

const TRACKS: { title: string; artist?: string; song: Omit<SongOptions, "name"> }[] = [
  {
    title: "Night Drive on the Ring Road",
    artist: "The Overpass",
    song: { seconds: 30, bpm: 96, chord: [57, 60, 64], hats: 0.3 },
  },
  { title: "Москва ночью", song: { seconds: 30, bpm: 72, chord: [50, 53, 57], hats: 0.05, fadeInS: 20 } },
  { title: "Ελληνικό καλοκαίρι", song: { seconds: 30, bpm: 128, chord: [67, 71, 74], hats: 0.7 } },
  { title: "संगीत की रात", song: { seconds: 30, bpm: 110, chord: [64, 68, 71], hats: 0.2 } },
  { title: "夜晚的歌声", song: { seconds: 30, bpm: 84, chord: [60, 64, 67], hats: 0.1, fadeInS: 10 } },
  { title: "밤의 노래", song: { seconds: 30, bpm: 140, chord: [66, 69, 73], hats: 0.6 } },
  { title: "夜のうた", song: { seconds: 30, bpm: 100, chord: [58, 62, 65], hats: 0.15 } },
  {
    title: "Summer Static",
    artist: "Lo Tide",
    song: { seconds: 30, bpm: 170, chord: [64, 67, 71], hats: 1 },
  },
];

const ff = await findFfmpeg();
if (!ff) throw new Error("the contact sheet needs ffmpeg");
const fonts = new FontCache();
const dir = mkdtempSync(join(tmpdir(), "hookline-sheet-"));
try {
  const cells: string[] = [];
  const rows = Math.ceil(TRACKS.length / PER_ROW);
  const width = GAP * 4 + PER_ROW * (2 * CELL + GAP) + (PER_ROW - 1) * GAP * 2;
  const height = rows * (CELL + LABEL + GAP) + GAP;
  for (const [i, { title, artist, song }] of TRACKS.entries()) {
    const path = await makeSong(dir, { ...song, name: `track-${i}.flac`, seed: i + 1 });
    const features = await analyseTrack(ff, path);
    const x0 = GAP * 2 + (i % PER_ROW) * (2 * CELL + GAP * 3);
    const y0 = GAP + Math.floor(i / PER_ROW) * (CELL + LABEL + GAP);
    for (const [k, { svg }] of (
      await composeCovers(features, { title, artist: artist ?? null }, fonts)
    ).entries()) {
      const png = await rasterise(svg, CELL);
      cells.push(
        `<image x="${x0 + k * (CELL + GAP)}" y="${y0}" width="${CELL}" height="${CELL}" href="data:image/png;base64,${png.toString("base64")}"/>`,
      );
    }
    const tempo = features.tempoBpm === null ? "no beat" : `${Math.round(features.tempoBpm)} BPM`;
    const label = await typeset(fonts, `${title}  ·  ${keyName(features.key)}  ·  ${tempo}`, 18, "regular");
    cells.push(label.svg(x0, y0 + CELL + 32, `fill="#d8d8d8"`));
    process.stderr.write(`[sheet] ${title}: ${keyName(features.key)}, ${tempo}\n`);
  }
  const sheet = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" fill="#1b1b1f"/>${cells.join("")}</svg>`;
  const out = resolve(fileURLToPath(new URL("../../docs/covers.png", import.meta.url)));
  writeFileSync(out, await rasterise(sheet, width));
  process.stdout.write(`contact sheet written to ${out}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
