import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ffmpegInstallHelp, findFfmpeg, PDEATHSIG_LAUNCHER, probeAudio } from "../../src/media/index.js";

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

it("on Linux, runs the tools under setpriv --pdeathsig SIGKILL, and says in a debug line how they run", async () => {
  const lines: string[] = [];
  const ff = await findFfmpeg(undefined, { log: { debug: (msg: string) => void lines.push(msg) } });
  expect(ff?.launcher).toEqual(process.platform === "linux" ? PDEATHSIG_LAUNCHER : []);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(process.platform === "linux" ? /setpriv --pdeathsig SIGKILL/ : /run plainly/);
});

it("a tool that cannot be executed through the launcher is a spawn failure, as without it", async () => {
  const ff = await findFfmpeg();
  if (!ff) throw new Error("this test needs ffmpeg");
  for (const ffprobe of [join("/nonexistent", "ffprobe"), tmpdir()]) {
    await expect(probeAudio({ ...ff, ffprobe }, "/etc/hostname")).rejects.toMatchObject({
      code: "internal",
      message: expect.stringMatching(
        /^ffprobe could not run: .*(No such file|Permission denied|ENOENT|EACCES)/,
      ),
    });
  }
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
