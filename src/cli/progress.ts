/**
 * A one-line progress indicator on stderr for long waits: a spinner with a status text on a TTY, nothing at all
 * otherwise (pipes, CI, `--json`), so that output stays machine-readable.
 */
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A status line that can be updated and cleared. */
export interface Progress {
  /** Replaces the status text. */
  update(text: string): void;
  /** Clears the line (and prints `final` on its own line, on a TTY); later calls do nothing. */
  stop(final?: string): void;
}

/** A spinner when `enabled` and stderr is a TTY; a no-op otherwise. */
export function progress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) return { update() {}, stop() {} };
  let text = "";
  let frame = 0;
  let stopped = false;
  const started = Date.now();
  const draw = () => {
    const seconds = Math.round((Date.now() - started) / 1000);
    stream.write(`\r\x1b[K${FRAMES[frame++ % FRAMES.length]} ${text} (${seconds} s)`);
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    update(next) {
      if (stopped) return;
      text = next;
      draw();
    },
    stop(final) {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      stream.write(`\r\x1b[K${final ? `${final}\n` : ""}`);
    },
  };
}
