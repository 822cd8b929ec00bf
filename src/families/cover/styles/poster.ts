/**
 * "Poster": a typographic cover in the Swiss manner. The title is set large in bold type; below it a wheel of the
 * twelve pitch classes shows the track's harmony (spoke length = share, the tonic at the top in the key's colour)
 * inside rings counting the beats of a bar; a band of bars at the foot is the loudness of the whole track, left to
 * right; a caption gives key, tempo and length. Major keys print dark on pale paper, minor keys light on deep
 * ground.
 */

import { keyName } from "../../../media/analysis/index.js";
import { fitText, typeset } from "../../../media/image/index.js";
import { type CoverStyle, clock, n, type StyleInput, svgDocument } from "./style.js";

const MARGIN = 72;

async function compose({ features: f, title, palette: p, random, fonts }: StyleInput): Promise<string> {
  const minor = f.key.mode === "minor";
  const ground = minor ? p.ground : p.paper;
  const ink = minor ? p.ink : p.ground;
  const body: string[] = [`<rect width="1000" height="1000" fill="${ground}"/>`];
  const titleTop = random.next() < 0.5;

  // Title: up to three lines in the top (or bottom) third.
  const lines = await fitText(fonts, title, {
    maxWidth: 1000 - 2 * MARGIN,
    maxHeight: 250,
    maxLines: 3,
    maxSize: 150,
    minSize: 44,
    weight: "bold",
  });
  const leading = 1.1;
  const size = lines[0]?.size ?? 44;
  const blockHeight = size * (1 + leading * (lines.length - 1));
  let y = titleTop
    ? MARGIN + (lines[0]?.ascent ?? size) * 0.86
    : 1000 - MARGIN - 96 - blockHeight + size * 0.86;
  for (const line of lines) {
    body.push(line.svg(MARGIN - size * 0.04, y, `fill="${ink}"`));
    y += size * leading;
  }

  // A disc of the key's colour carries the pitch-class wheel, inside rings counting the beats of a bar.
  const cx = 500 + random.range(-90, 90);
  const cy = titleTop ? 595 : 375;
  const disc = 205;
  body.push(`<circle cx="${n(cx)}" cy="${n(cy)}" r="${disc}" fill="${p.primary}"/>`);
  const rings = 4;
  for (let r = 1; r <= rings; r++) {
    body.push(
      `<circle cx="${n(cx)}" cy="${n(cy)}" r="${n(disc - 10 - (rings - r) * 38)}" fill="none" stroke="${p.ground}" stroke-opacity="${n(0.12 + 0.05 * r)}" stroke-width="${r === rings ? 2.5 : 1.5}"/>`,
    );
  }
  const maxShare = Math.max(...f.chroma) || 1;
  const ranked = f.chroma.map((s, pc) => ({ s, pc })).sort((a, b) => b.s - a.s);
  for (let pc = 0; pc < 12; pc++) {
    const angle = ((pc - f.key.tonic) * 30 - 90) * (Math.PI / 180);
    const length = 20 + 124 * (f.chroma[pc]! / maxShare);
    const rank = ranked.findIndex((x) => x.pc === pc);
    const colour = pc === f.key.tonic ? p.ink : rank <= 3 ? (p.accents[rank - 1] ?? p.ink) : p.ground;
    const [x1, y1] = [cx + 44 * Math.cos(angle), cy + 44 * Math.sin(angle)];
    const [x2, y2] = [cx + (44 + length) * Math.cos(angle), cy + (44 + length) * Math.sin(angle)];
    body.push(
      `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${colour}" stroke-opacity="${rank <= 3 ? 1 : 0.45}" stroke-width="20" stroke-linecap="round"/>`,
    );
  }
  body.push(`<circle cx="${n(cx)}" cy="${n(cy)}" r="20" fill="${p.ground}"/>`);

  // The loudness band: one bar per slice of the track, the loudest in the key's colour.
  const bandBottom = titleTop ? 1000 - MARGIN - 44 : MARGIN + 52;
  const barWidth = (1000 - 2 * MARGIN) / f.envelope.length;
  const loudest = f.envelope.indexOf(Math.max(...f.envelope));
  f.envelope.forEach((e, i) => {
    const h = 6 + 46 * e;
    body.push(
      `<rect x="${n(MARGIN + i * barWidth + 1.5)}" y="${n(bandBottom - h)}" width="${n(barWidth - 3)}" height="${n(h)}" fill="${i === loudest ? p.primary : ink}"/>`,
    );
  });

  // Caption: key, tempo, length.
  const caption = await typeset(
    fonts,
    `${keyName(f.key).toUpperCase()}  ·  ${Math.round(f.tempoBpm)} BPM  ·  ${clock(f.durationS)}`,
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
  compose,
};
