/**
 * "Poster": a typographic cover in the Swiss manner. The title is set large in bold type (the artist, when the
 * tags name one, in a smaller line under it); a wheel of the twelve pitch classes shows the track's harmony
 * (spoke length = share, the tonic at the top in the key's colour) inside rings counting the beats of a bar; a
 * band at the foot is the loudness of the whole track, left to right; a caption gives key, tempo and length. Major
 * keys print dark on pale paper, minor keys light on deep ground.
 *
 * The composition follows the track: the title sits at the top of a track that fades out and at the foot of one
 * that builds; the disc is as large as the track is loud, drawn towards the left for bass-heavy audio and the
 * right for bright audio; more rings the faster the tempo, one without a beat; the band is bars for a pulsing
 * track, a continuous line for one without a beat; major tracks may get a square plate instead of a disc.
 */

import { keyName } from "../../../media/analysis/index.js";
import { fitText, typeset } from "../../../media/image/index.js";
import { type CoverStyle, clock, n, type StyleInput, type StyleLayout, svgDocument } from "./style.js";
import { traitsOf } from "./traits.js";

const MARGIN = 72;

/** The composition of a poster (the first draws of the style's random). */
type PosterLayout = {
  readonly titleAt: "top" | "bottom";
  readonly align: "left" | "right";
  readonly plate: "disc" | "square";
  readonly wheelX: number;
  readonly wheelY: number;
  readonly radius: number;
  readonly rings: number;
  readonly spoke: number;
  readonly band: "bars" | "line";
};

function layout({ features: f, title, random }: StyleInput): PosterLayout {
  const t = traitsOf(f);
  const toss = random.next();
  const titleAt = t.arc > 0.12 ? "bottom" : t.arc < -0.12 ? "top" : toss < 0.5 ? "top" : "bottom";
  const radius = Math.round(150 + 65 * t.loud + random.range(0, 10));
  const x = 500 + 190 * t.tilt + 120 * (t.bright - 0.5) + random.range(-70, 70);
  // Long titles read better flush left; short ones may hang from the right edge.
  const align = title.length <= 24 && random.next() < 0.25 + 0.4 * t.bright ? "right" : "left";
  const square = f.key.mode === "major" && random.next() < 0.45;
  return {
    titleAt,
    align,
    plate: square ? "square" : "disc",
    wheelX: Math.round(Math.min(1000 - MARGIN - radius, Math.max(MARGIN + radius, x))),
    wheelY: Math.round((titleAt === "top" ? 605 : 380) + random.range(-15, 15)),
    radius,
    rings: t.pace === null ? 1 : 2 + Math.round(4 * t.pace),
    spoke: Math.round(12 + 12 * (1 - t.bright)),
    band: t.pace === null ? "line" : "bars",
  };
}

/** The loudness band: bars (the loudest in the key's colour) or, without a beat, one continuous line. */
function band(l: PosterLayout, envelope: readonly number[], ink: string, accent: string): string {
  const bottom = l.titleAt === "top" ? 1000 - MARGIN - 44 : MARGIN + 52;
  const step = (1000 - 2 * MARGIN) / envelope.length;
  const loudest = envelope.indexOf(Math.max(...envelope));
  if (l.band === "line") {
    const points = envelope.map((e, i) => `${n(MARGIN + (i + 0.5) * step)},${n(bottom - 6 - 46 * e)}`);
    return `<polyline points="${points.join(" ")}" fill="none" stroke="${ink}" stroke-width="4" stroke-linejoin="round" stroke-linecap="round"/><circle cx="${n(MARGIN + (loudest + 0.5) * step)}" cy="${n(bottom - 6 - 46 * (envelope[loudest] ?? 1))}" r="9" fill="${accent}"/>`;
  }
  return envelope
    .map((e, i) => {
      const h = 6 + 46 * e;
      return `<rect x="${n(MARGIN + i * step + 1.5)}" y="${n(bottom - h)}" width="${n(step - 3)}" height="${n(h)}" fill="${i === loudest ? accent : ink}"/>`;
    })
    .join("");
}

async function compose(input: StyleInput): Promise<string> {
  const { features: f, title, artist, palette: p, fonts } = input;
  const l = layout(input);
  const minor = f.key.mode === "minor";
  const ground = minor ? p.ground : p.paper;
  const ink = minor ? p.ink : p.ground;
  const body: string[] = [`<rect width="1000" height="1000" fill="${ground}"/>`];
  const titleTop = l.titleAt === "top";
  const width = 1000 - 2 * MARGIN;
  const x = (w: number) => (l.align === "left" ? MARGIN : 1000 - MARGIN - w);

  // Title: up to three lines in the top (or bottom) third; the artist's line under it takes some of that room.
  const byline = artist
    ? await fitText(fonts, artist, {
        maxWidth: width,
        maxHeight: 40,
        maxLines: 1,
        maxSize: 36,
        minSize: 22,
        weight: "regular",
      })
    : [];
  const lines = await fitText(fonts, title, {
    maxWidth: width,
    maxHeight: byline.length > 0 ? 200 : 250,
    maxLines: 3,
    maxSize: 150,
    minSize: 44,
    weight: "bold",
  });
  const leading = 1.1;
  const size = lines[0]?.size ?? 44;
  const bylineGap = byline.length > 0 ? (byline[0]?.size ?? 0) * 1.5 : 0;
  const blockHeight = size * (1 + leading * (lines.length - 1)) + bylineGap;
  let y = titleTop
    ? MARGIN + (lines[0]?.ascent ?? size) * 0.86
    : 1000 - MARGIN - 96 - blockHeight + size * 0.86;
  for (const line of lines) {
    body.push(line.svg(x(line.width) - (l.align === "left" ? size * 0.04 : 0), y, `fill="${ink}"`));
    y += size * leading;
  }
  for (const line of byline) {
    body.push(line.svg(x(line.width), y - size * leading + bylineGap, `fill="${ink}" fill-opacity="0.8"`));
  }

  // A plate of the key's colour carries the pitch-class wheel, inside rings counting the beats of a bar.
  const { wheelX: cx, wheelY: cy, radius } = l;
  body.push(
    l.plate === "disc"
      ? `<circle cx="${cx}" cy="${cy}" r="${radius}" fill="${p.primary}"/>`
      : `<rect x="${cx - radius}" y="${cy - radius}" width="${2 * radius}" height="${2 * radius}" rx="${n(radius * 0.12)}" fill="${p.primary}"/>`,
  );
  const spokeOut = radius - 81;
  for (let r = 1; r <= l.rings; r++) {
    const ringR = l.rings === 1 ? radius - 10 : 44 + ((radius - 54) * r) / l.rings;
    body.push(
      `<circle cx="${cx}" cy="${cy}" r="${n(ringR)}" fill="none" stroke="${p.ground}" stroke-opacity="${n(0.12 + (0.2 * r) / l.rings)}" stroke-width="${r === l.rings ? 2.5 : 1.5}"/>`,
    );
  }
  const maxShare = Math.max(...f.chroma) || 1;
  const ranked = f.chroma.map((s, pc) => ({ s, pc })).sort((a, b) => b.s - a.s);
  for (let pc = 0; pc < 12; pc++) {
    const angle = ((pc - f.key.tonic) * 30 - 90) * (Math.PI / 180);
    const length = 20 + spokeOut * (f.chroma[pc]! / maxShare);
    const rank = ranked.findIndex((r) => r.pc === pc);
    const colour = pc === f.key.tonic ? p.ink : rank <= 3 ? (p.accents[rank - 1] ?? p.ink) : p.ground;
    const [x1, y1] = [cx + 44 * Math.cos(angle), cy + 44 * Math.sin(angle)];
    const [x2, y2] = [cx + (44 + length) * Math.cos(angle), cy + (44 + length) * Math.sin(angle)];
    body.push(
      `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${colour}" stroke-opacity="${rank <= 3 ? 1 : 0.45}" stroke-width="${l.spoke}" stroke-linecap="round"/>`,
    );
  }
  body.push(`<circle cx="${cx}" cy="${cy}" r="20" fill="${p.ground}"/>`);
  body.push(band(l, f.envelope, ink, p.primary));

  // Caption: key, tempo (none without a beat), length.
  const tempo = f.tempoBpm === null ? [] : [`${Math.round(f.tempoBpm)} BPM`];
  const caption = await typeset(
    fonts,
    [keyName(f.key).toUpperCase(), ...tempo, clock(f.durationS)].join("  ·  "),
    24,
    "regular",
  );
  body.push(
    caption.svg(1000 - MARGIN - caption.width, 1000 - MARGIN + 6, `fill="${ink}" fill-opacity="0.85"`),
  );
  return svgDocument("", body.join(""));
}

export const poster: CoverStyle = {
  name: "poster",
  prompt:
    "typographic Swiss-style music poster: the title in large bold sans-serif type, a radial diagram of twelve spokes inside concentric rings, a row of bars along the foot, flat colours, strong grid",
  layout: (input): StyleLayout => layout(input),
  compose,
};
