/**
 * The run's web server and worker processes (`start-web.ts`, `start-worker.ts`), under a supervisor that restarts a
 * process that exits unexpectedly, as the production setup's `restart: unless-stopped` (docker-compose.yml) or a
 * process manager does. An unexpected exit is one the harness did not cause with its own signal; each is kept with
 * the process's last stderr lines, and a run with any fails.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { FatalError, isTearingDown, onCleanup, onEmergencyKill } from "./lifecycle.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

interface SentinelProcess {
  child: ChildProcess;
  exited: Promise<void>;
}

/** Logs of one supervised process: stdout (pino's JSON lines) and stderr (Node's own crash output) apart. */
export interface ProcessLogs {
  out: string;
  err: string;
}

function startSentinelProcess(name: string, entry: string, env: NodeJS.ProcessEnv, logs: ProcessLogs): SentinelProcess {
  const out = openSync(logs.out, "a");
  const err = openSync(logs.err, "a");
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "server", entry)], { cwd: ROOT, env, stdio: ["ignore", out, err] });
  closeSync(out);
  closeSync(err);
  const forget = onEmergencyKill(() => child.kill("SIGKILL"));
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      forget();
      resolve();
    }),
  );
  onCleanup(`${name} (pid ${child.pid})`, async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });
  return { child, exited };
}

export function logTail(logPath: string, lines = 15): string {
  try {
    const text = readFileSync(logPath, "utf8").trim();
    return text === "" ? "(empty)" : text.split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** The last fatal line of a log (pino level 60, or a Node stack), for the one-line report of an unexpected exit. */
function crashCause(logs: ProcessLogs): string {
  const lines = [...logTail(logs.out, 60).split("\n"), ...logTail(logs.err, 60).split("\n")];
  const fatal = lines.findLast((line) => line.includes('"level":60'));
  if (fatal) {
    try {
      const entry = JSON.parse(fatal) as { msg?: string; err?: { message?: string } };
      return entry.err?.message ?? entry.msg ?? fatal;
    } catch {
      return fatal;
    }
  }
  return lines.find((line) => /^\w*Error\b/.test(line.trim())) ?? lines.at(-1) ?? "?";
}

/** Past this many unexpected exits of one process the run stops: it cannot be kept running. */
const MAX_UNEXPECTED_EXITS = 5;

export interface UnexpectedExit {
  process: string;
  pid: number | undefined;
  /** Exit code or signal (one the harness did not send). */
  exit: string;
  cause: string;
  stderrTail: string;
}

export interface Supervised {
  name: string;
  readonly child: ChildProcess;
  logs: ProcessLogs;
  /** Starts the process and waits until it (or the one the supervisor restarted in its place) is ready. */
  start(): Promise<void>;
  /** Sends `signal` and waits for the exit, which is expected (no restart); resolves with the exit code or signal. */
  stop(signal: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
  /** Unexpected exits, each followed by a restart. */
  crashes: UnexpectedExit[];
  /** Rejects when the process cannot be kept running (it keeps exiting). */
  failure: Promise<never>;
  starts: number;
}

export function supervise(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  logs: ProcessLogs,
  waitReady: (what: string) => Promise<void>,
  note: (message: string) => void,
): Supervised {
  let current: SentinelProcess | undefined;
  let expecting = false;
  let fail!: (error: Error) => void;
  const failure = new Promise<never>((_, reject) => (fail = reject));
  failure.catch(() => undefined);

  function spawnOne(): void {
    supervised.starts += 1;
    const started = startSentinelProcess(name, entry, env, logs);
    current = started;
    void started.exited.then(() => {
      // The cleanup kills whatever runs then: not a crash to restart.
      if (expecting || isTearingDown() || current !== started) return;
      const crash: UnexpectedExit = {
        process: name,
        pid: started.child.pid,
        exit: String(started.child.exitCode ?? started.child.signalCode),
        cause: crashCause(logs),
        stderrTail: logTail(logs.err, 20),
      };
      supervised.crashes.push(crash);
      note(`${name} (pid ${crash.pid}) exited unexpectedly (${crash.exit}): ${crash.cause}; restarting it`);
      if (supervised.crashes.length > MAX_UNEXPECTED_EXITS) {
        fail(new FatalError(`the ${name} process exited unexpectedly ${supervised.crashes.length} times:\n${logTail(logs.out)}\n${crash.stderrTail}`));
        return;
      }
      setTimeout(() => {
        if (!expecting && !isTearingDown()) spawnOne();
      }, 1_000);
    });
  }

  const supervised: Supervised = {
    name,
    logs,
    crashes: [],
    failure,
    starts: 0,
    get child() {
      return current!.child;
    },
    async start() {
      expecting = false;
      spawnOne();
      await Promise.race([waitReady(`the ${name} to start`), failure]);
    },
    async stop(signal) {
      if (!current) return null;
      expecting = true;
      current.child.kill(signal);
      await current.exited;
      return current.child.exitCode ?? current.child.signalCode;
    },
  };
  return supervised;
}

/** The report of unexpected exits: one block per exit, with the process's last stderr lines. */
export function formatUnexpectedExits(run: string, crashes: UnexpectedExit[]): string {
  return crashes
    .map((crash) => `✗ ${run} run: ${crash.process} (pid ${crash.pid}) exited unexpectedly (${crash.exit}): ${crash.cause}\n  last stderr lines:\n${crash.stderrTail.replace(/^/gm, "    ")}`)
    .join("\n");
}
