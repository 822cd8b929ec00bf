import { Worker } from "node:worker_threads";

/**
 * WAL checkpoints on a worker thread. SQLite's automatic checkpoint runs inside whichever commit crosses 1,000 WAL
 * pages: that commit then copies the pages into the database file and fsyncs both files, on the event loop, for
 * 2–30 ms on this machine (measured: 34 of 444 commits of a delivery drain took 80 % of all commit time). Here the
 * main connection does not checkpoint; a second connection on a worker thread does, at most every `intervalMs`
 * after commits were counted. The same fsyncs happen (WAL, `synchronous = NORMAL`): durability is unchanged,
 * only the thread that waits for the disk is another one.
 */
export interface Checkpointer {
  /** Counts a commit (the worker checkpoints after commits only). Cheap: an atomic add. */
  committed(): void;
  /** How many checkpoints the thread has run. */
  checkpoints(): number;
  /** Stops the worker after its current checkpoint, if any. */
  stop(): Promise<void>;
}

// The worker is a CommonJS script run with `eval`, so that it loads the same way from the compiled build and
// from the TypeScript sources the tests run. It blocks on Atomics.wait between checkpoints: no event loop needed.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const signal = new Int32Array(workerData.signal);
const db = new Database(workerData.path);
db.pragma("busy_timeout = 10000");
let seen = 0;
try {
  for (;;) {
    // Woken by a counted commit; every few seconds anyway, for writes made outside transactions.
    Atomics.wait(signal, 0, seen, 5000);
    if (Atomics.load(signal, 1) !== 0) break;
    // Let the commits of the next moments join this checkpoint.
    Atomics.wait(signal, 1, 0, workerData.intervalMs);
    if (Atomics.load(signal, 1) !== 0) break;
    seen = Atomics.load(signal, 0);
    db.pragma("wal_checkpoint(PASSIVE)");
    Atomics.add(signal, 2, 1);
  }
} finally {
  db.close();
}
`;

/**
 * Starts the checkpointing thread for the database at `path`. `onFailure` runs if the thread dies, so that the
 * caller can turn SQLite's own checkpoints back on (the WAL must not grow without bound).
 */
export function startCheckpointer(
  path: string,
  driver: string,
  onFailure: (error: unknown) => void,
  intervalMs = 200,
): Checkpointer {
  // [0] commits counted, [1] stop flag, [2] checkpoints run.
  const shared = new SharedArrayBuffer(12);
  const signal = new Int32Array(shared);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, driver, signal: shared, intervalMs },
    // The thread prints nothing; left piped to this process's stdout, its creation would open that pipe.
    stdout: true,
    stderr: true,
  });
  const exited = new Promise<void>((resolve) => {
    worker.once("error", onFailure);
    worker.once("exit", () => resolve());
  });
  // An idle server must be able to exit while the thread sleeps.
  worker.unref();
  return {
    committed() {
      Atomics.add(signal, 0, 1);
      Atomics.notify(signal, 0);
    },
    checkpoints: () => Atomics.load(signal, 2),
    async stop() {
      // Held referenced while it winds down, or a process with nothing else left would exit before it did.
      worker.ref();
      // Both words change before the wake-ups, so a thread that was not yet waiting does not start to.
      Atomics.store(signal, 1, 1);
      Atomics.add(signal, 0, 1);
      Atomics.notify(signal, 0);
      Atomics.notify(signal, 1);
      await exited;
    },
  };
}
