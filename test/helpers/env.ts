/**
 * The test settings read from the environment, in one place (a module without imports, so that the per-file setup
 * can read them cheaply). HOOKLINE_TEST_DATABASE_URL names a PostgreSQL server for the suites that loop over both
 * databases (`.ci/run` sets it); empty when not set.
 */
export const POSTGRES_URL = process.env.HOOKLINE_TEST_DATABASE_URL ?? "";
