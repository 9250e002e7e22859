import { z } from "zod";
import { DETECTOR_VERSION } from "../../domain/detection/index.ts";
import { describeRebuilt, describeUnrebuildable, rescoreStoredCommits, resolveRescoreScope, unrebuildableTotal } from "../../application/analysis/rescore.ts";
import { recomputeStaleMetrics } from "../../application/metrics/recompute.ts";
import { RetryLaterError } from "../../infrastructure/queue/index.ts";
import { untilInterrupted } from "../command.ts";
import { defineCommand } from "../define-command.ts";
import { noPositionals, orgSlugOption, repoOption } from "../options.ts";
import { createProgressReporter, createRepositoryProgress } from "../progress.ts";

const optionsSchema = z.object({
  org: orgSlugOption,
  repo: repoOption,
  limit: z.coerce.number({ error: "--limit must be a positive integer" }).int("--limit must be a positive integer").positive("--limit must be a positive integer").optional(),
  batchSize: z.coerce
    .number({ error: "--batch-size must be an integer from 1 to 1000" })
    .int("--batch-size must be an integer from 1 to 1000")
    .min(1, "--batch-size must be an integer from 1 to 1000")
    .max(1000, "--batch-size must be an integer from 1 to 1000")
    .optional(),
});

const count = (value: number) => value.toLocaleString("en-US");
const plural = (value: number, one: string, many = `${one}s`) => `${count(value)} ${value === 1 ? one : many}`;

export const rescoreCommand = defineCommand({
  name: "rescore",
  summary: "Re-score stored commits with the current detector, then recompute the metrics they change",
  usage: [
    "Usage: sentinel rescore [--org <slug>] [--repo owner/name] [--limit <n>] [--batch-size <n>]",
    "",
    `Runs the current detector (${DETECTOR_VERSION}) again over every analysed commit whose verdict came from another`,
    "version, from what Sentinel stored with the verdict (message, files, patches) and the commit's context (branch,",
    "pull request, the author's previous commit); GitHub is not asked. A commit analysed before Sentinel stored that",
    "input is rebuilt from the push delivery that recorded it and its stored rows, or from the demo dataset; one that",
    "cannot be (a local import, a backfilled commit) keeps its verdict and is counted with the reason. Each batch of",
    "verdicts is replaced in one transaction. Then recomputes the daily metrics and line survival of the days the",
    "re-scored commits change.",
    "Resumable: commits already at the current version are skipped, so a stopped run continues where it stopped and",
    "a second run does nothing. Without --org and --repo, every enabled repository.",
    "",
    "Options:",
    "  --org <slug>        one organisation's repositories",
    "  --repo owner/name   one repository",
    "  --limit <n>         re-score at most n commits in this run (the rest on the next)",
    "  --batch-size <n>    commits per transaction (default 100)",
  ].join("\n"),
  flags: { org: { type: "string" }, repo: { type: "string" }, limit: { type: "string" }, "batch-size": { type: "string" } },
  positionals: noPositionals("sentinel rescore [--org slug] [--repo owner/name]"),
  options: optionsSchema,
  database: { migrate: true },
  async run(options, io, services) {
    const scope = await resolveRescoreScope(services.db, { orgSlug: options.org, repo: options.repo });
    if (!scope.ok) {
      io.stderr.write(`sentinel rescore: ${scope.message}\n`);
      return 1;
    }
    const started = performance.now();
    // Ctrl-C finishes the batch being written, then stops: the next run continues from there.
    const progress = createProgressReporter(io, "rescore");
    let interrupted = false;
    let result;
    try {
      result = await untilInterrupted(async (signal) => {
        const outcome = await rescoreStoredCommits(services.db, scope.repositories, {
          batchSize: options.batchSize,
          limit: options.limit,
          signal,
          onProgress: ({ done, total }) => progress.update(done, total),
        });
        interrupted = signal.aborted;
        return outcome;
      });
    } finally {
      progress.done();
    }

    let metricsDays = 0;
    let metricsNote = "";
    const metricsProgress = createRepositoryProgress(io, (repository) => `metrics ${repository}`);
    try {
      const recomputed = await recomputeStaleMetrics(
        { db: services.db, lock: services.lock, now: (io.clock ?? services.clock).now() },
        scope.repositories.map((repository) => repository.repoId),
        (step) => metricsProgress.update(step),
      );
      metricsDays = recomputed.reduce((sum, repository) => sum + repository.days, 0);
    } catch (error) {
      if (!(error instanceof RetryLaterError)) throw error;
      metricsNote = "; metrics not recomputed: another recompute of the same range is running, run `sentinel rescore` again when it has finished";
    } finally {
      metricsProgress.done();
    }

    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const skipped = [`${count(result.current)} already current`];
    const unrebuildable = unrebuildableTotal(result.unrebuildable);
    if (unrebuildable > 0) skipped.push(`${count(unrebuildable)} that cannot be rebuilt without GitHub (${describeUnrebuildable(result.unrebuildable)})`);
    if (result.deferred > 0) skipped.push(`${count(result.deferred)} deferred (their pull request changed meanwhile)`);
    const how = result.rescored > 0 ? `: ${describeRebuilt(result.rebuilt)}` : "";
    io.stdout.write(
      `Re-scored ${plural(result.rescored, "commit")} with ${DETECTOR_VERSION} (${count(result.changed)} changed confidence) ` +
        `in ${plural(result.repositories.length, "repository", "repositories")}${how}; skipped ${skipped.join(", ")}; ` +
        `metrics recomputed for ${plural(metricsDays, "day")}; ${seconds} s${metricsNote}.\n`,
    );
    if (result.stopped) {
      io.stderr.write(`sentinel rescore: stopped before the end${interrupted ? " (interrupted)" : ` (--limit ${options.limit})`}; run it again to continue\n`);
      return interrupted ? 130 : 0;
    }
    return metricsNote ? 1 : 0;
  },
});
