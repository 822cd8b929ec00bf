/**
 * The evaluation set of the speaker check, built by code: every usable espeak-ng voice variant, split in two
 * disjoint halves. Calibration voices speak the calibration sentences in six languages; evaluation voices speak
 * phrases of the server's own phrase books in the ten API languages. A voice is an (espeak language, variant)
 * pair; each utterance gets its own pitch and speed within ±10 %, then a degradation.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { drawPhrase, PHRASE_LANGUAGES, type PhraseLanguage } from "../../src/families/voice/phrases/index.js";
import { DEGRADATIONS, type Degradation, degrade, run, seeded, speak } from "./voice-audio.js";
import { CALIBRATION_TEXT } from "./voice-corpus.js";

/**
 * Variants left out, and why: `fast` changes only the speed; `whisper` and `whisperf` have no voiced sound at
 * all (validate refuses them); `Gene2` is `Gene` with a 20 % higher pitch and the same vocal tract settings.
 */
export const EXCLUDED_VARIANTS: Readonly<Record<string, string>> = {
  fast: "changes only the speaking rate",
  whisper: "whispered: no voiced frames",
  whisperf: "whispered: no voiced frames",
  Gene2: "same vocal tract settings as Gene, only the pitch differs",
};

export const ESPEAK_LANGUAGE: Readonly<Record<PhraseLanguage, string>> = {
  en: "en",
  zh: "cmn",
  es: "es",
  fr: "fr",
  pt: "pt",
  de: "de",
  ja: "ja",
  ko: "ko",
  hi: "hi",
  ru: "ru",
};

export interface Utterance {
  readonly path: string;
  readonly degradation: Degradation | "enrolment";
  readonly text: string;
}

export interface SetVoice {
  /** e.g. "de+m3" */
  readonly id: string;
  readonly split: "calibration" | "evaluation";
  readonly enrolment: Utterance;
  readonly tests: readonly Utterance[];
}

/** The installed variants (the files under espeak-ng's `voices/!v`), minus the excluded ones. */
export function usableVariants(): string[] {
  const version = execFileSync("espeak-ng", ["--version"], { encoding: "utf8" });
  const data = /Data at:\s*(.+)$/m.exec(version)?.[1]?.trim();
  if (!data) throw new Error(`cannot find espeak-ng's data folder in: ${version}`);
  return (
    readdirSync(join(data, "voices", "!v"))
      // A name with a blank ("Mr serious") cannot be given after "+" on the command line.
      .filter((n) => !/\s/.test(n) && !(n in EXCLUDED_VARIANTS))
      .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))
  );
}

const hash = (s: string): number => {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
};

/** Plans the set: which voices, which sentences, which degradation for which utterance. */
export function planSet(dir: string, testsPerEvaluationVoice = 6) {
  const variants = usableVariants();
  const calLanguages = Object.keys(CALIBRATION_TEXT);
  const voices: { id: string; split: SetVoice["split"]; texts: string[]; degradations: Degradation[] }[] = [];
  variants.forEach((variant, i) => {
    const split = i % 2 === 0 ? "evaluation" : "calibration";
    const k = Math.floor(i / 2);
    const rnd = seeded(hash(`${variant}:${split}`));
    if (split === "evaluation") {
      const language = PHRASE_LANGUAGES[k % PHRASE_LANGUAGES.length]!;
      const texts: string[] = [];
      while (texts.length < 3 + testsPerEvaluationVoice) {
        const p = drawPhrase(language, null, (n) => Math.floor(rnd() * n));
        if (!texts.includes(p)) texts.push(p);
      }
      const degradations = texts.slice(3).map((_, t) => DEGRADATIONS[(k + t) % DEGRADATIONS.length]!);
      voices.push({ id: `${ESPEAK_LANGUAGE[language]}+${variant}`, split, texts, degradations });
    } else {
      const language = calLanguages[k % calLanguages.length]!;
      const texts = [...CALIBRATION_TEXT[language]!]
        .sort(() => rnd() - 0.5)
        .slice(0, 3 + DEGRADATIONS.length);
      voices.push({ id: `${language}+${variant}`, split, texts, degradations: [...DEGRADATIONS] });
    }
  });
  return voices.map((v) => ({ ...v, dir: join(dir, v.split, v.id.replace(/[^\w+-]/g, "_")) }));
}

type Planned = ReturnType<typeof planSet>[number];

/** Renders one voice's files (skipped when already made by an earlier run). */
export async function renderVoice(v: Planned): Promise<SetVoice> {
  const rnd = seeded(hash(`${v.id}:audio`));
  const prosody = () => ({ pitch: 41 + Math.floor(rnd() * 19), speed: 158 + Math.floor(rnd() * 35) });
  const enrolmentPath = join(v.dir, "enrolment.mp3");
  const tests = v.degradations.map((d, t) => ({
    base: join(v.dir, `test-${t}-${d}`),
    d,
    text: v.texts[3 + t]!,
  }));
  const done = join(v.dir, "done");
  const ext = (d: Degradation) =>
    d === "mp3-32k" ? "mp3" : d === "webm-opus-24k" ? "webm" : d === "m4a-aac-64k" ? "m4a" : "wav";
  if (!existsSync(done)) {
    await mkdir(v.dir, { recursive: true });
    // The source recording: three sentences, each with its own prosody, uploaded as an MP3.
    const parts: string[] = [];
    for (let s = 0; s < 3; s++) {
      const p = prosody();
      const part = join(v.dir, `enrol-${s}.wav`);
      await speak(v.id, v.texts[s]!, p.pitch, p.speed, part);
      parts.push(part);
    }
    const list = join(v.dir, "enrol.txt");
    await writeFile(list, parts.map((p) => `file '${p}'`).join("\n"));
    await run("ffmpeg", [
      "-nostdin",
      "-v",
      "error",
      "-y",
      "-f",
      "concat",
      "-safe",
      "0",
      "-i",
      list,
      "-c:a",
      "libmp3lame",
      "-b:a",
      "128k",
      enrolmentPath,
    ]);
    for (const t of tests) {
      const p = prosody();
      const raw = `${t.base}-raw.wav`;
      await speak(v.id, t.text, p.pitch, p.speed, raw);
      await degrade(raw, t.d, t.base, rnd);
      await rm(raw);
    }
    for (const p of [...parts, list]) await rm(p);
    await writeFile(done, "");
  }
  return {
    id: v.id,
    split: v.split,
    enrolment: { path: enrolmentPath, degradation: "enrolment", text: v.texts.slice(0, 3).join(" ") },
    tests: tests.map((t) => ({ path: `${t.base}.${ext(t.d)}`, degradation: t.d, text: t.text })),
  };
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order of results. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}

/**
 * Takes of each evaluation variant in another API language than its own (the next one in the list): the same
 * synthetic vocal tract speaking other words with other rules. The definition counts `en+m3` and `es+m3` as
 * different voices; a timbre comparison, meant to follow a singer across languages, mostly will not.
 */
export async function renderCrossLanguage(
  dir: string,
  voice: SetVoice,
): Promise<{ voice: string; other: string; paths: string[] }> {
  const [lang, variant] = voice.id.split("+") as [string, string];
  const index = PHRASE_LANGUAGES.findIndex((l) => ESPEAK_LANGUAGE[l] === lang);
  const next = PHRASE_LANGUAGES[(index + 1) % PHRASE_LANGUAGES.length]!;
  const other = `${ESPEAK_LANGUAGE[next]}+${variant}`;
  const rnd = seeded(hash(`${other}:cross`));
  const out = join(dir, other.replace(/[^\w+-]/g, "_"));
  const paths: string[] = [];
  await mkdir(out, { recursive: true });
  for (const [t, d] of (["clean", "webm-opus-24k"] as const).entries()) {
    const base = join(out, `take-${t}-${d}`);
    const path = `${base}.${d === "clean" ? "wav" : "webm"}`;
    if (!existsSync(path)) {
      const raw = `${base}-raw.wav`;
      await speak(
        other,
        drawPhrase(next, null, (n) => Math.floor(rnd() * n)),
        41 + Math.floor(rnd() * 19),
        158 + Math.floor(rnd() * 35),
        raw,
      );
      await degrade(raw, d, base, rnd);
      await rm(raw);
    }
    paths.push(path);
  }
  return { voice: voice.id, other, paths };
}
