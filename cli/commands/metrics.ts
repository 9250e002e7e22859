import { z } from "zod";
import { recomputeMetrics } from "../../application/metrics/recompute.ts";
import { RetryLaterError } from "../../infrastructure/queue/index.ts";
import { defineCommand } from "../define-command.ts";
import { localDateOption, noPositionals, repoOption } from "../options.ts";
import { createRepositoryProgress } from "../progress.ts";

const optionsSchema = z
  .object({
    repo: repoOption,
    from: localDateOption("--from").optional(),
    to: localDateOption("--to").optional(),
  })
  .refine((options) => !(options.from && options.to && options.from > options.to), { message: "--from must not be after --to" });

const refuseArguments = noPositionals("sentinel metrics [recompute] [--repo owner/name] [--from date] [--to date]");

export const metricsCommand = defineCommand({
  name: "metrics",
  summary: "Recompute daily metrics and line survival from the stored events",
  usage: [
    "Usage: sentinel metrics [recompute] [--repo owner/name] [--from YYYY-MM-DD] [--to YYYY-MM-DD]",
    "",
    "Recomputes repo_metrics for every local day of the range (in the organisation's time zone) with the same",
    "code as the nightly job, then the weekly survival cohorts as of the day after the range. Idempotent: run it",
    "as often as you like. Without --repo, every enabled repository.",
    "",
    "Options:",
    "  --repo owner/name   one repository (default: all)",
    "  --from YYYY-MM-DD   first day (default: 89 days before --to)",
    "  --to YYYY-MM-DD     last day (default: yesterday in the organisation's zone)",
  ].join("\n"),
  flags: { repo: { type: "string" }, from: { type: "string" }, to: { type: "string" } },
  // `recompute` is the only action, so it may be left out: `sentinel metrics --from … --to …`.
  positionals: (positionals) => refuseArguments(positionals[0] === "recompute" ? positionals.slice(1) : positionals),
  options: optionsSchema,
  database: { migrate: true },
  async run(options, io, services) {
    const progress = createRepositoryProgress(io, (repository) => repository);
    try {
      const result = await recomputeMetrics({ db: services.db, lock: services.lock, now: new Date() }, options, (step) => progress.update(step));
      progress.done();
      if (!result.ok) {
        io.stderr.write(`sentinel metrics: ${result.message}\n`);
        return 1;
      }
      for (const repo of result.repositories) {
        io.stdout.write(`${repo.fullName}: ${repo.days} day(s) ${repo.from} … ${repo.to} recomputed, ${repo.cohorts} survival cohort(s)\n`);
      }
      return 0;
    } catch (error) {
      if (error instanceof RetryLaterError) {
        io.stderr.write("sentinel metrics: another recompute of the same range is running; try again when it has finished\n");
        return 1;
      }
      throw error;
    }
  },
});
