import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type * as benchGenerator from "../../bench/generate.ts";
import type * as benchOrganization from "../../bench/large-organization.ts";
import { parseLocalDate } from "../../domain/metrics/time.ts";
import { CliUsageError, parseCliArgs, parseWith, type CliCommand } from "../command.ts";
import { createProgressReporter } from "../progress.ts";
import { cliEnv, withCliServices } from "../runtime.ts";

const wholeNumber = (flag: string, min: number, max: number, fallback: number) =>
  z.coerce
    .number({ message: `${flag} must be a whole number` })
    .int(`${flag} must be a whole number`)
    .min(min, `${flag} must be at least ${min}`)
    .max(max, `${flag} must be at most ${max.toLocaleString("en-US")}`)
    .default(fallback);

type BenchGenerator = typeof benchGenerator;
type BenchOrganization = typeof benchOrganization;

/**
 * The generator is benchmark code (bench/), which the production image leaves out. It is loaded only when the
 * command runs, from a URL no import or bundler follows, so the CLI starts without it; null when it is absent.
 */
async function loadBench(folder: URL): Promise<(BenchGenerator & BenchOrganization) | null> {
  const generate = new URL("generate.ts", folder);
  if (!existsSync(fileURLToPath(generate))) return null;
  const [generator, organization] = await Promise.all([
    import(generate.href) as Promise<BenchGenerator>,
    import(new URL("large-organization.ts", folder).href) as Promise<BenchOrganization>,
  ]);
  return { ...generator, ...organization };
}

const optionsSchema = (defaults: BenchOrganization["DEFAULT_SHAPE"]) =>
  z.object({
    org: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,38}$/, "--org must be a slug: lowercase letters, digits and dashes")
      .default("bench"),
    repos: wholeNumber("--repos", 1, 1000, defaults.repos),
    days: wholeNumber("--days", 7, 3650, defaults.days),
    seed: wholeNumber("--seed", 0, 2 ** 31 - 1, defaults.seed),
    until: z
      .string()
      .refine((value) => {
        try {
          parseLocalDate(value);
          return true;
        } catch {
          return false;
        }
      }, "--until must be a date YYYY-MM-DD")
      .optional(),
  });

/** `benchFolder`: where bench/ is (a folder URL, ending in /); tests point it elsewhere. */
export const createGenerateCommand = (benchFolder: URL): CliCommand => ({
  name: "generate",
  summary: "Write a large generated organisation into PostgreSQL, for benchmarks",
  usage: [
    "Usage: sentinel generate [--org bench] [--repos 100] [--days 730] [--seed N] [--until YYYY-MM-DD]",
    "",
    "Generates a realistic organisation (members, repositories of very different activity, pushes, pull requests,",
    "reviews, deployments, incidents; AI adoption growing over the period) and loads it with COPY: with the",
    "defaults about 10 million code events and 2 million attribution rows. Then computes its daily metrics, line",
    "survival, review queue and alerts with the workers' own code. The same seed and --until give the same data.",
    "Re-running replaces the organisation. Needs DATABASE_URL (PostgreSQL); use a database of its own.",
    "A member (owner) is created for benchmarks that sign in; its login is printed at the end.",
    "A development tool: it runs from a source checkout, not from the production image (which leaves out bench/).",
    "",
    "Options:",
    "  --org SLUG          organisation slug (default bench)",
    "  --repos N           repositories, 1–1,000 (default 100)",
    "  --days N            length of the history, 7–3,650 (default 730)",
    "  --seed N            generator seed (default 1)",
    "  --until YYYY-MM-DD  the history ends at 00:00 UTC of this day (default today)",
  ].join("\n"),
  async run(args, io) {
    const bench = await loadBench(benchFolder);
    if (bench === null) {
      io.stderr.write("sentinel generate is a development tool: run it from a source checkout\n");
      return 2;
    }
    const { deriveOrganizationData, describeShape, loadOrganizationHistory, markGenerationComplete, shapeOf, BENCH_USER_LOGIN, DEFAULT_SHAPE } = bench;
    const values = parseCliArgs({
      args,
      options: { org: { type: "string" }, repos: { type: "string" }, days: { type: "string" }, seed: { type: "string" }, until: { type: "string" } },
      strict: true,
    }).values;
    const options = parseWith(optionsSchema(DEFAULT_SHAPE), values);
    if (cliEnv().usesEmbeddedDatabase) {
      throw new CliUsageError("needs DATABASE_URL: millions of rows go to PostgreSQL, not the embedded database (use a database of its own)");
    }
    const shape = shapeOf({ repos: options.repos, days: options.days, seed: options.seed, until: options.until ?? new Date().toISOString().slice(0, 10) });
    return withCliServices({ migrate: true }, async ({ services }) => {
      io.stderr.write(`Generating ${options.org}: ${describeShape(shape)}\n`);
      const started = performance.now();
      const reporters = {
        history: createProgressReporter(io, "history"),
        metrics: createProgressReporter(io, "metrics"),
        alerts: createProgressReporter(io, "alerts"),
      };
      const onProgress = (progress: { phase: keyof typeof reporters; done: number; total: number }) => reporters[progress.phase].update(progress.done, progress.total);
      const generated = await loadOrganizationHistory(services.database.sql, { ...shape, slug: options.org }, onProgress);
      reporters.history.done();
      await deriveOrganizationData({ db: services.db, queue: services.queue, logger: services.logger }, { orgId: generated.orgId, plan: generated.plan, options: { ...shape, slug: options.org } }, onProgress);
      reporters.metrics.done();
      reporters.alerts.done();
      await markGenerationComplete(services.database.sql, generated.orgId, generated.settings, new Date());
      const counts = Object.entries(generated.counts)
        .map(([table, count]) => `${table} ${count.toLocaleString("en-US")}`)
        .join(", ");
      io.stdout.write(`Generated organisation "${options.org}" (${generated.orgId}) in ${((performance.now() - started) / 1000).toFixed(0)} s: ${counts}.\n`);
      io.stdout.write(`Bench user: ${BENCH_USER_LOGIN} (${generated.benchUserId}), owner.\n`);
      return 0;
    });
  },
});

export const generateCommand = createGenerateCommand(new URL("../../bench/", import.meta.url));
