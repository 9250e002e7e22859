import type { CliIo } from "./command.ts";

/**
 * A progress line on stderr: redrawn in place on a terminal ("analysis  [#####-----]  512/1,024  50 %"),
 * or printed at most every 10 % when stderr is a file or pipe, so CI logs stay readable.
 */
export function createProgressReporter(io: CliIo, label: string) {
  let lastPrintedDecile = -1;
  let drewInPlace = false;
  return {
    update(done: number, total: number) {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const percent = Math.floor(fraction * 100);
      const counts = `${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")}`;
      if (io.isTTY) {
        const width = 24;
        const filled = Math.round(fraction * width);
        io.stderr.write(`\r${label.padEnd(12)} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${counts} ${percent} %`);
        drewInPlace = true;
        return;
      }
      const decile = Math.floor(percent / 10);
      if (decile > lastPrintedDecile || done === total) {
        lastPrintedDecile = decile;
        io.stderr.write(`${label}: ${counts} (${percent} %)\n`);
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
