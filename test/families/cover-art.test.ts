/**
 * The local cover art on real generated tracks: the composition (not only the colours) follows the audio, two
 * tracks in one key but of different character get clearly different palettes, the same audio and title give
 * byte-identical covers, audio without a beat shows no tempo, and the title a cover prints comes from the track's
 * tags, then its file name, then a fallback, bounded whatever the tags held.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CoverText,
  composeCovers,
  coverLayouts,
  coverPrompt,
  paletteFor,
  renderCovers,
  STYLES,
} from "../../src/families/cover/index.js";
import { type AudioFeatures, analyseTrack, keyName } from "../../src/media/analysis/index.js";
import { FontCache } from "../../src/media/image/index.js";
import { cleanTagText, type Ffmpeg, findFfmpeg } from "../../src/media/index.js";
import { coverTitle, FALLBACK_TITLE } from "../../src/tracks/index.js";
import { run, type TmpDir, tmpDir } from "../helpers/audio.js";
import { makeSong } from "../helpers/songs.js";

let ff: Ffmpeg;
let dir: TmpDir;
const fonts = new FontCache();

beforeAll(async () => {
  const found = await findFfmpeg();
  if (!found) throw new Error("these tests need ffmpeg and ffprobe on the PATH");
  ff = found;
  dir = await tmpDir("cover-art");
});
afterAll(() => dir.cleanup());

const text = (title: string, artist: string | null = null): CoverText => ({ title, artist });

/** The element structure of an SVG: how many of each drawing element, in order of first use. */
function structure(svg: string): string {
  const counts = new Map<string, number>();
  for (const [, tag] of svg.matchAll(/<(path|circle|rect|line|polyline|mask)\b/g)) {
    counts.set(tag!, (counts.get(tag!) ?? 0) + 1);
  }
  return [...counts].map(([tag, count]) => `${tag}:${count}`).join(" ");
}

/** Hex colour → RGB distance (0–441). */
function distance(a: string, b: string): number {
  const rgb = (h: string) => [1, 3, 5].map((i) => Number.parseInt(h.slice(i, i + 2), 16));
  const [x, y] = [rgb(a), rgb(b)];
  return Math.hypot(...x.map((v, i) => v - y[i]!));
}

describe("cover composition follows the audio", () => {
  let tracks: AudioFeatures[];

  beforeAll(async () => {
    const songs = [
      { name: "slow.flac", seconds: 12, bpm: 72, chord: [50, 53, 57], hats: 0.05, fadeInS: 9 },
      { name: "mid.flac", seconds: 12, bpm: 110, chord: [64, 68, 71], hats: 0.2 },
      { name: "fast.flac", seconds: 12, bpm: 150, chord: [67, 71, 74], hats: 0.6 },
      { name: "dark.flac", seconds: 12, bpm: 96, chord: [45, 48, 52], hats: 0 },
    ];
    tracks = await Promise.all(songs.map(async (s) => analyseTrack(ff, await makeSong(dir.path, s))));
  }, 60_000);

  it("four different tracks get four different compositions in every style (layout and SVG structure)", async () => {
    for (const style of STYLES) {
      const layouts = tracks.map((f) => coverLayouts(f, text("Same Title"), fonts, [style])[0]!.layout);
      const svgs = await Promise.all(
        tracks.map(async (f) => (await composeCovers(f, text("Same Title"), fonts, [style]))[0]!.svg),
      );
      for (let i = 0; i < tracks.length; i++) {
        for (let j = i + 1; j < tracks.length; j++) {
          const differing = Object.keys(layouts[i]!).filter((k) => layouts[i]![k] !== layouts[j]![k]);
          // Not one jittered number: several parameters of the composition differ.
          expect(differing.length, `${style.name} ${i}/${j}: ${differing.join(",")}`).toBeGreaterThanOrEqual(
            4,
          );
          if (style.name === "contours") {
            expect(structure(svgs[i]!), `${style.name} ${i}/${j}`).not.toBe(structure(svgs[j]!));
          }
        }
      }
    }
  });

  it("the contours' ridge count follows the tempo; the poster's rings too", () => {
    const byTempo = [...tracks].sort((a, b) => (a.tempoBpm ?? 0) - (b.tempoBpm ?? 0));
    const slow = coverLayouts(byTempo[0]!, text("x"), fonts);
    const fast = coverLayouts(byTempo.at(-1)!, text("x"), fonts);
    expect(Number(fast[0]!.layout.ridges)).toBeGreaterThan(Number(slow[0]!.layout.ridges));
    expect(Number(fast[1]!.layout.rings)).toBeGreaterThan(Number(slow[1]!.layout.rings));
  });

  it("the title takes part in the composition: one track under two titles differs", () => {
    const a = coverLayouts(tracks[1]!, text("Blue Hour"), fonts);
    const b = coverLayouts(tracks[1]!, text("Red Dawn"), fonts);
    expect(a).not.toEqual(b);
  });

  it("the same audio and title give byte-identical covers", async () => {
    const again = await analyseTrack(ff, `${dir.path}/mid.flac`);
    const [x, y] = await Promise.all(
      [tracks[1]!, again].map((f) => renderCovers(f, text("Blue Hour", "Lo Tide"), { size: 200, fonts })),
    );
    expect(x!.map((c) => c.style)).toEqual(["contours", "poster"]);
    expect(x!.map((c, i) => c.png.equals(y![i]!.png))).toEqual([true, true]);
  });
});

describe("palettes", () => {
  it("two A-major tracks of different character get clearly different palettes", async () => {
    const quiet = await analyseTrack(
      ff,
      await makeSong(dir.path, {
        name: "a-quiet.flac",
        seconds: 10,
        bpm: 76,
        chord: [57, 61, 64],
        hats: 0,
        fadeInS: 8,
      }),
    );
    const bright = await analyseTrack(
      ff,
      await makeSong(dir.path, {
        name: "a-bright.flac",
        seconds: 10,
        bpm: 128,
        chord: [69, 73, 76],
        hats: 0,
      }),
    );
    expect([keyName(quiet.key), keyName(bright.key)]).toEqual(["A major", "A major"]);
    const [p, q] = [paletteFor(quiet), paletteFor(bright)];
    const turn = Math.abs(((p.hue - q.hue + 540) % 360) - 180);
    expect(turn, `hues ${p.hue} and ${q.hue}`).toBeGreaterThanOrEqual(12);
    // Summed over the colours a cover is made of, the palettes are far apart (1,000+ would be opposite colours).
    const keys = ["primary", "ground", "ground2", "paper"] as const;
    const apart = keys.reduce((sum, k) => sum + distance(p[k], q[k]), 0);
    expect(apart, JSON.stringify([p, q])).toBeGreaterThan(100);
    expect(
      keys.filter((k) => distance(p[k], q[k]) > 20),
      JSON.stringify([p, q]),
    ).toHaveLength(4);
  });
});

describe("audio without a beat", () => {
  it("gets no tempo in the prompt, a beatless composition, and covers that render", async () => {
    const sine = `${dir.path}/sine.wav`;
    await run("sox", ["-n", "-r", "44100", "-b", "16", sine, "synth", "8", "sine", "440", "vol", "0.5"]);
    const f = await analyseTrack(ff, sine);
    expect(f.tempoBpm).toBeNull();
    const prompt = coverPrompt(STYLES[1]!, text("Tone"), f, paletteFor(f).hue);
    expect(prompt).not.toMatch(/BPM/);
    expect(prompt).toMatch(/no beat/);
    const [contours, poster] = coverLayouts(f, text("Tone"), fonts);
    expect(contours!.layout.orb).toBe("halo");
    expect(poster!.layout).toMatchObject({ rings: 1, band: "line" });
    const pngs = await renderCovers(f, text("Tone"), { size: 120, fonts });
    expect(pngs).toHaveLength(2);
  });
});

describe("the title a cover prints", () => {
  const made = "Kx9Qa2LmP0zR7tYw3BcD";

  it("the track's title, else its file name (cleaned), else a fallback; with the artist", () => {
    expect(coverTitle({ title: "Night Drive", artist: "The Overpass" }, `${made}.mp3`)).toEqual({
      title: "Night Drive",
      artist: "The Overpass",
    });
    expect(coverTitle({ title: null, artist: null }, "night-drive_v2.mp3").title).toBe("night drive v2");
    expect(coverTitle({ title: null, artist: null }, "Artist - Song.flac").title).toBe("Artist - Song");
    expect(coverTitle({ title: null, artist: null }, `${made}.mp3`)).toEqual({
      title: FALLBACK_TITLE,
      artist: null,
    });
    // A track stored before tags were read could hold a made-up name as its title.
    expect(coverTitle({ title: made, artist: null }, "Blue Hour.mp3").title).toBe("Blue Hour");
  });

  it("a hostile title is bounded in the prompt and on the poster", async () => {
    const f = await analyseTrack(ff, `${dir.path}/mid.flac`);
    const title = cleanTagText(`${"\u0007Ω".repeat(5_000)}${"w".repeat(5_000)}`) ?? "";
    const cover = text(title, cleanTagText("x".repeat(10_000)));
    const prompt = coverPrompt(STYLES[1]!, cover, f, 0);
    expect(prompt.length).toBeLessThan(1_000);
    expect(/\p{Cc}/u.test(prompt)).toBe(false);
    const [, poster] = await composeCovers(f, cover, fonts);
    // Three lines at most, the last cut with an ellipsis: the document stays small.
    expect(poster!.svg.length).toBeLessThan(400_000);
    expect((await renderCovers(f, cover, { size: 120, fonts })).length).toBe(2);
  });
});
