import type { CliIo } from "./command.ts";

const BAR_WIDTH = 24;

/** "42 s", "3 min 05 s", "1 h 02 min": a remaining time read at a glance. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/**
 * One progress line: "analysis     [############------------] 512/1,024 50 %", and with `elapsedMs` an estimate of the
 * time left at the rate so far ("… 50 %  about 40 s left"). No estimate before the first step is done, nor once all are.
 */
export function renderProgressLine(progress: { label: string; done: number; total: number; elapsedMs?: number }): string {
  const { label, done, total, elapsedMs } = progress;
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const counts = `${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")}`;
  const line = `${label.padEnd(12)} [${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${counts} ${Math.floor(fraction * 100)} %`;
  if (elapsedMs === undefined || done <= 0 || done >= total) return line;
  return `${line}  about ${formatDuration((elapsedMs / done) * (total - done))} left`;
}

/**
 * A progress line on stderr: redrawn in place on a terminal ("analysis  [#####-----]  512/1,024  50 %"),
 * or printed at most every 10 % when stderr is a file or pipe, so CI logs stay readable. With `eta`, the terminal
 * line also says about how long is left, timed from the reporter's creation by `now`.
 */
export function createProgressReporter(io: CliIo, label: string, options: { eta?: boolean; now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  const startedAt = now();
  let lastPrintedDecile = -1;
  let drewInPlace = false;
  return {
    update(done: number, total: number) {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const percent = Math.floor(fraction * 100);
      if (io.isTTY) {
        const line = renderProgressLine({ label, done, total, elapsedMs: options.eta ? now() - startedAt : undefined });
        // With an estimate the line can get shorter: clear what the last one left (ESC [K, to the end of the line).
        io.stderr.write(`\r${line}${options.eta ? "\u001b[K" : ""}`);
        drewInPlace = true;
        return;
      }
      const decile = Math.floor(percent / 10);
      if (decile > lastPrintedDecile || done === total) {
        lastPrintedDecile = decile;
        io.stderr.write(`${label}: ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} (${percent} %)\n`);
      }
    },
    done() {
      if (drewInPlace) io.stderr.write("\n");
      drewInPlace = false;
    },
  };
}

/** One progress line per repository, for work that reports its steps repository after repository. */
export function createRepositoryProgress(io: CliIo, label: (repository: string) => string) {
  let current: { repository: string; reporter: ReturnType<typeof createProgressReporter> } | undefined;
  return {
    update(step: { repository: string; done: number; total: number }) {
      if (current?.repository !== step.repository) {
        current?.reporter.done();
        current = { repository: step.repository, reporter: createProgressReporter(io, label(step.repository)) };
      }
      current.reporter.update(step.done, step.total);
    },
    done() {
      current?.reporter.done();
    },
  };
}

/** Most commits listed one per line at the end of a run; the rest are counted. */
const LISTED_COMMITS = 20;

/**
 * The end-of-run list of commits a command had to leave out, on stderr after its summary:
 * "2 commits could not be stored:" then "  3f2a1b0  <reason>" per commit.
 */
export function reportLeftOutCommits(io: CliIo, what: string, commits: ReadonlyArray<{ sha: string; reason: string }>, more = ""): void {
  if (commits.length === 0) return;
  const lines = [`${commits.length.toLocaleString("en-US")} ${commits.length === 1 ? "commit" : "commits"} ${what}:`];
  for (const commit of commits.slice(0, LISTED_COMMITS)) lines.push(`  ${commit.sha.slice(0, 7)}  ${commit.reason.split("\n")[0]}`);
  if (commits.length > LISTED_COMMITS) lines.push(`  … and ${(commits.length - LISTED_COMMITS).toLocaleString("en-US")} more${more}`);
  io.stderr.write(`${lines.join("\n")}\n`);
}
