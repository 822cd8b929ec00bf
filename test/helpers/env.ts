/**
 * The test settings read from the environment, in one place (a module without imports, so that the per-file setup
 * can read them cheaply). HOOKLINE_TEST_DATABASE_URL names a PostgreSQL server for the suites that loop over both
 * databases (`.ci/run` sets it); empty when not set.
 */
export const POSTGRES_URL = process.env.HOOKLINE_TEST_DATABASE_URL ?? "";

/**
 * How many tasks `test/e2e/many-processes.test.ts` submits (HOOKLINE_TEST_MANY_TASKS). The suite's default is 200,
 * which runs in about two minutes beside the other files; the 2,000 run by hand with
 * HOOKLINE_TEST_MANY_TASKS=2000 (208 s on its own on a quiet machine).
 */
export const MANY_TASKS = Number(process.env.HOOKLINE_TEST_MANY_TASKS ?? "200");
