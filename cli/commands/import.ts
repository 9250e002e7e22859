import { z } from "zod";
import { GitReadError } from "../../infrastructure/git/git-log.ts";
import { importLocalHistory } from "../../application/ingestion/local-import.ts";
import { CliUsageError } from "../command.ts";
import { defineCommand } from "../define-command.ts";
import { gitDirPositional, orgSlugOption } from "../options.ts";
import { createProgressReporter, reportLeftOutCommits } from "../progress.ts";

const optionsSchema = z.object({
  dir: z.string({ error: "missing <git-dir> argument" }).min(1, "missing <git-dir> argument"),
  repo: z
    .string({ error: "--repo owner/name is required" })
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "--repo must look like owner/name"),
  org: orgSlugOption,
  since: z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)), "--since must be a date such as 2025-01-31")
    .transform((value) => new Date(value))
    .optional(),
});

export const importCommand = defineCommand({
  name: "import",
  summary: "Import a local clone's history (no GitHub App needed): same engine, same write path",
  usage: [
    "Usage: sentinel import <git-dir> --repo owner/name [--org <slug>] [--since <date>]",
    "",
    "Reads the history of HEAD in a local clone (working or bare) with git, records every commit the way a",
    "GitHub push would, and attributes it with the detection engine. Running it again adds nothing.",
    "A commit that cannot be stored (git cannot read it, or the database refuses it) is left out, listed at the",
    "end and on the repository's page; the exit code is non-zero only when no commit could be stored.",
    "",
    "Options:",
    "  --repo owner/name   the repository's name in Sentinel (required)",
    "  --org <slug>        organisation to import into; created if missing (default: the owner)",
    "  --since <date>      only commits from this date on, e.g. 2025-01-31",
  ].join("\n"),
  flags: { repo: { type: "string" }, org: { type: "string" }, since: { type: "string" } },
  positionals: gitDirPositional,
  options: optionsSchema,
  database: { migrate: true },
  async run(options, io, services) {
    const progress = createProgressReporter(io, "import");
    const started = performance.now();
    let result;
    try {
      result = await importLocalHistory(
        services.db,
        { dir: options.dir, fullName: options.repo, orgSlug: options.org, since: options.since },
        ({ done, total }) => progress.update(done, total ?? done),
      );
    } catch (error) {
      if (error instanceof GitReadError && error.code !== "GIT_FAILED") throw new CliUsageError(error.message);
      throw error;
    } finally {
      progress.done();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    io.stdout.write(
      `Imported ${options.repo}: ${result.commitsRead.toLocaleString("en-US")} commits read, ` +
        `${result.commitsNew.toLocaleString("en-US")} new, ${result.analysed.toLocaleString("en-US")} analysed` +
        `${result.skipped > 0 ? `, ${result.skipped} skipped` : ""} in ${seconds} s` +
        `${result.orgCreated ? ` (organisation created)` : ""}.\n`,
    );
    reportLeftOutCommits(io, "could not be stored", result.failed, " (listed on the repository's page)");
    const stored = result.commitsRead + result.unreadable - result.failed.length;
    return result.failed.length > 0 && stored === 0 ? 1 : 0;
  },
});
