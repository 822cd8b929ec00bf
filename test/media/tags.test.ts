/**
 * A track's own title and artist, read by the upload's probe from real files made by ffmpeg: ID3 (MP3), Vorbis
 * comments (FLAC in the container's tags, Ogg in the stream's, upper-case keys), none at all; and a hostile tag
 * (10,000 characters with control and bidi characters) comes back bounded and clean; tags too large for the
 * probe's answer cap are left out rather than refusing the file.
 */
import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanTagText, type Ffmpeg, findFfmpeg, MAX_TAG_CHARS, probeAudio } from "../../src/media/index.js";
import { run, type TmpDir, tmpDir } from "../helpers/audio.js";

let ff: Ffmpeg;
let dir: TmpDir;

beforeAll(async () => {
  const found = await findFfmpeg();
  if (!found) throw new Error("these tests need ffmpeg and ffprobe on the PATH");
  ff = found;
  dir = await tmpDir("tags");
});
afterAll(() => dir.cleanup());

/** Two seconds of a chord, encoded by the file name's extension, with `-metadata key=value` for each tag. */
async function tagged(name: string, tags: Record<string, string>): Promise<string> {
  const path = `${dir.path}/${name}`;
  const metadata = Object.entries(tags).flatMap(([k, v]) => ["-metadata", `${k}=${v}`]);
  const codec = name.endsWith(".ogg") ? ["-c:a", "libvorbis"] : [];
  await run("ffmpeg", [
    ...[
      "-nostdin",
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "sine=f=330:d=2",
      "-f",
      "lavfi",
      "-i",
      "sine=f=495:d=2",
    ],
    ...["-filter_complex", "amix=inputs=2", ...codec, ...metadata, "-y", path],
  ]);
  return path;
}

describe("probeAudio reads the track's tags", () => {
  it("MP3 (ID3), FLAC and Ogg (Vorbis comments in either case) give title and artist", async () => {
    const cases: { name: string; tags: Record<string, string> }[] = [
      { name: "id3.mp3", tags: { title: "Night Drive", artist: "The Overpass" } },
      { name: "vorbis.flac", tags: { TITLE: "Москва ночью", ARTIST: "Ансамбль" } },
      { name: "vorbis.ogg", tags: { TITLE: "夜のうた", Artist: "Lo Tide" } },
    ];
    for (const c of cases) {
      const probe = await probeAudio(ff, await tagged(c.name, c.tags));
      expect(probe.kind, c.name).toBe("audio");
      if (probe.kind !== "audio") continue;
      expect(probe.tags, c.name).toEqual({
        title: Object.values(c.tags)[0],
        artist: Object.values(c.tags)[1],
      });
    }
  });

  it("a file without tags has none (the encoder's own tag is not a title)", async () => {
    const probe = await probeAudio(ff, await tagged("bare.mp3", {}));
    expect(probe).toMatchObject({ kind: "audio", tags: { title: null, artist: null } });
  });

  it("a hostile tag (10,000 characters, control and bidi characters) is bounded and clean", async () => {
    const long = `${"A\u0007B\u202eC\u001b\n".repeat(100)}${"x".repeat(10_000)}`;
    const probe = await probeAudio(
      ff,
      await tagged("hostile.flac", { title: long, artist: "\u0001\u0002  \u200b" }),
    );
    expect(probe.kind).toBe("audio");
    if (probe.kind !== "audio") return;
    const title = probe.tags.title ?? "";
    // Cut at the cap, then trimmed (the cut can land on a space).
    expect(Array.from(title).length).toBeLessThanOrEqual(MAX_TAG_CHARS);
    expect(Array.from(title).length).toBeGreaterThan(MAX_TAG_CHARS - 2);
    expect(title.startsWith("A BC A BC A")).toBe(true);
    expect(/[\p{Cc}\p{Cf}]/u.test(title)).toBe(false);
    // Nothing visible is left of the artist: none.
    expect(probe.tags.artist).toBeNull();
  });

  it("tags too large for ffprobe's answer (a 1.2 MB title) still leave a readable audio file, without tags", async () => {
    const meta = `${dir.path}/meta.txt`;
    await writeFile(meta, `;FFMETADATA1\ntitle=${"T".repeat(1_200_000)}\nartist=Big\n`);
    const path = `${dir.path}/huge-tag.flac`;
    await run("ffmpeg", [
      ...["-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=440:d=2", "-i", meta],
      ...["-map", "0:a", "-map_metadata", "1", "-y", path],
    ]);
    const probe = await probeAudio(ff, path);
    expect(probe).toMatchObject({ kind: "audio", codec: "flac", tags: { title: null, artist: null } });
  });
});

describe("cleanTagText", () => {
  it("collapses white space, drops invisible characters, keeps characters whole at the cap", () => {
    expect(cleanTagText("  Night\u0000 Drive\n\n")).toBe("Night Drive");
    expect(cleanTagText("left\u2067 right\u2069")).toBe("left right");
    expect(cleanTagText("e\u0301")).toBe("é");
    expect(cleanTagText("😀".repeat(300))).toBe("😀".repeat(MAX_TAG_CHARS));
    expect(cleanTagText(`${"a".repeat(199)}😀`, 200)).toBe(`${"a".repeat(199)}😀`);
    expect(cleanTagText("\ud800 lone")).toBe("lone");
    expect(cleanTagText(" \t ")).toBeNull();
    expect(cleanTagText(42)).toBeNull();
  });
});
