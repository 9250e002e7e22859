import { z } from "zod";
import { DEFAULT_DEMO_SEED, seedDemoOrganization } from "../../demo/seed.ts";
import { defineCommand } from "../define-command.ts";
import { wholeNumberOption } from "../options.ts";
import { createProgressReporter } from "../progress.ts";

const optionsSchema = z.object({
  seed: wholeNumberOption("--seed").default(DEFAULT_DEMO_SEED),
  days: wholeNumberOption("--days", { min: 7, max: 365 }).default(90),
});

export const seedDemoCommand = defineCommand({
  name: "seed-demo",
  summary: "Create the demo organisation (90 days of generated activity, analysed like live data)",
  usage: [
    "Usage: sentinel seed-demo [--seed N] [--days N]",
    "",
    "Generates a demo organisation with three repositories, replays its GitHub deliveries through the",
    "ingestion path and analyses every commit. Does nothing if the demo organisation already exists;",
    "resumes an interrupted seeding. `npm start` runs this automatically on an empty database.",
    "",
    "Options:",
    "  --seed N   generator seed (default 20260101): the same seed gives the same activity",
    "  --days N   length of the activity window, 7–365 (default 90)",
  ].join("\n"),
  flags: { seed: { type: "string" }, days: { type: "string" } },
  options: optionsSchema,
  database: { migrate: true },
  async run(options, io, services) {
    const deliveries = createProgressReporter(io, "deliveries");
    const analysis = createProgressReporter(io, "analysis");
    const result = await seedDemoOrganization(
      { db: services.db, queue: services.queue, logger: services.logger },
      {
        seed: options.seed,
        days: options.days,
        analysis: "inline",
        onProgress: (progress) => (progress.phase === "deliveries" ? deliveries : analysis).update(progress.done, progress.total),
      },
    );
    deliveries.done();
    analysis.done();
    if (result.status === "exists") {
      io.stdout.write("The demo organisation already exists; nothing to do.\n");
    } else {
      io.stdout.write(
        `Seeded the demo organisation: ${result.deliveries.toLocaleString("en-US")} deliveries, ` +
          `${result.commits.toLocaleString("en-US")} commits analysed, ${result.incidents} incident(s).\n`,
      );
    }
    return 0;
  },
});
