import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type * as benchGenerator from "../../bench/generate.ts";
import type * as benchOrganization from "../../bench/large-organization.ts";
import type { Services } from "../../application/services.ts";
import { CliUsageError, type CliCommand, type CliIo } from "../command.ts";
import { defineCommand } from "../define-command.ts";
import { localDateOption, wholeNumberOption } from "../options.ts";
import { createProgressReporter } from "../progress.ts";
import { cliEnv } from "../runtime.ts";

type BenchGenerator = typeof benchGenerator;
type BenchOrganization = typeof benchOrganization;
type Bench = BenchGenerator & BenchOrganization;

/**
 * The generator is benchmark code (bench/), which the production image leaves out. It is loaded only when the
 * command runs, from a URL no import or bundler follows, so the CLI starts without it; null when it is absent.
 */
async function loadBench(folder: URL): Promise<Bench | null> {
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
    repos: wholeNumberOption("--repos", { min: 1, max: 1000 }).default(defaults.repos),
    days: wholeNumberOption("--days", { min: 7, max: 3650 }).default(defaults.days),
    seed: wholeNumberOption("--seed", { min: 0, max: 2 ** 31 - 1 }).default(defaults.seed),
    until: localDateOption("--until").optional(),
  });
type Options = z.infer<ReturnType<typeof optionsSchema>>;

const about = {
  name: "generate",
  summary: "Write a large generated organisation into PostgreSQL, for benchmarks",
  usage: [
    "Usage: sentinel generate [--org bench] [--repos 100] [--days 730] [--seed N] [--until YYYY-MM-DD]",
    "",
    "Generates a realistic organisation (members and their teams, repositories of very different activity, pushes,",
    "pull requests and their reviews, some agent-written ones merged unreviewed, deployments, incidents; AI adoption",
    "growing over the period, by a mix of AI tools each leaving its own marks) and loads it with COPY: with the",
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
};

async function generate(bench: Bench, options: Options, io: CliIo, services: Services): Promise<number> {
  const { deriveOrganizationData, describeShape, loadOrganizationHistory, markGenerationComplete, shapeOf, BENCH_USER_LOGIN } = bench;
  const shape = shapeOf({ repos: options.repos, days: options.days, seed: options.seed, until: options.until ?? new Date().toISOString().slice(0, 10) });
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
}

/** The command once bench/ is loaded: the generator's own shape gives the options' defaults. */
function benchCommand(bench: Bench): CliCommand {
  return defineCommand({
    ...about,
    flags: { org: { type: "string" }, repos: { type: "string" }, days: { type: "string" }, seed: { type: "string" }, until: { type: "string" } },
    options: optionsSchema(bench.DEFAULT_SHAPE),
    database: { migrate: true },
    beforeConnecting() {
      if (cliEnv().usesEmbeddedDatabase) {
        throw new CliUsageError("needs DATABASE_URL: millions of rows go to PostgreSQL, not the embedded database (use a database of its own)");
      }
    },
    run: (options, io, services) => generate(bench, options, io, services),
  });
}

/** `benchFolder`: where bench/ is (a folder URL, ending in /); tests point it elsewhere. */
export const createGenerateCommand = (benchFolder: URL): CliCommand => ({
  ...about,
  async run(args, io) {
    const bench = await loadBench(benchFolder);
    if (bench === null) {
      io.stderr.write("sentinel generate is a development tool: run it from a source checkout\n");
      return 2;
    }
    return benchCommand(bench).run(args, io);
  },
});

export const generateCommand = createGenerateCommand(new URL("../../bench/", import.meta.url));
