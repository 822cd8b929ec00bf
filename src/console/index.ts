/**
 * The web console: its sessions and one-time sign-in links (the `console_sessions` table, written only here) and
 * its front end (`src/console/ui`, bundled by `scripts/build-console.mjs` into `dist/console`). The routes that
 * serve both are in src/routes/console.ts.
 * @module
 */
export { consoleAssetsDir } from "./assets.js";
export {
  createLink,
  endSession,
  endSessionsOfKey,
  LINK_MS,
  openSession,
  pruneSessions,
  redeemLink,
  SESSION_MS,
  type Session,
  type SessionKind,
  sessionOf,
} from "./sessions.js";
