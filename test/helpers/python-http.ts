import { type ChildProcess, execFileSync, spawn } from "node:child_process";

/** True when `python3` runs here (it does on CI; the finding came from its http.server). */
export function hasPython(): boolean {
  try {
    execFileSync("python3", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface PythonServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves `dir` with `python3 -m http.server` on 127.0.0.1 (a port it picks): an ordinary HTTP/1.0 server that
 * closes each connection right after the body, the peer of the finding.
 */
export async function startPythonServer(dir: string): Promise<PythonServer> {
  const child: ChildProcess = spawn(
    "python3",
    ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`python3 http.server did not start: ${out}`)), 10_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /port (\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`python3 http.server exited (${code}): ${out}`));
    });
  });
  child.stdout?.resume();
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
