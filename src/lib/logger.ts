import pino from "pino";

/** The logger every part receives (pino's interface; JSON lines on stderr). */
export type Logger = pino.Logger;

/** A JSON logger writing to stderr, so stdout stays clean for CLI output such as `keys create --json`. */
export function createLogger(level: string): Logger {
  return pino({ level }, pino.destination({ dest: 2, sync: false }));
}

/** A logger that drops everything (tests, CLI commands). */
export const silentLogger: Logger = pino({ level: "silent" });
