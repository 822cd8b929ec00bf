import { join } from "node:path";
import { expect, it } from "vitest";
import { ffmpegInstallHelp, findFfmpeg } from "../../src/media/index.js";

it("finds ffmpeg and ffprobe on the PATH and reports the version", async () => {
  const ff = await findFfmpeg();
  expect(ff).not.toBeNull();
  expect(ff?.ffmpeg).toBe("ffmpeg");
  expect(ff?.ffprobe).toBe("ffprobe");
  expect(ff?.version).toMatch(/^\d+\.\d+/);
});

it("takes given paths, and answers null when either tool is missing", async () => {
  expect(await findFfmpeg({ ffmpeg: "/usr/bin/ffmpeg", ffprobe: "/usr/bin/ffprobe" })).toMatchObject({
    ffmpeg: "/usr/bin/ffmpeg",
  });
  const nowhere = join("/nonexistent", "ffmpeg-missing");
  expect(await findFfmpeg({ ffmpeg: nowhere })).toBeNull();
  expect(await findFfmpeg({ ffprobe: nowhere })).toBeNull();
  // A program that exists but is not ffmpeg fails `-version`.
  expect(await findFfmpeg({ ffmpeg: "false" })).toBeNull();
});

it("explains how to install ffmpeg on the usual systems", () => {
  const help = ffmpegInstallHelp();
  for (const command of [
    "apt-get install",
    "dnf install",
    "apk add",
    "brew install",
    "winget install",
    "choco install",
  ]) {
    expect(help).toContain(command);
  }
});
