import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Every file fails a test that leaves a server, socket, child process or project timer behind.
    setupFiles: ["test/setup.ts"],
    // After-hooks in reverse order of registration, so the setup file's leak check runs after the file's own.
    sequence: { hooks: "stack" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Suites start real servers, ffmpeg processes and databases: two cores, so two files at a time.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ["default"],
  },
});
