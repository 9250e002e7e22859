import { z } from "zod";
import { maskDatabaseUrl } from "../../infrastructure/db/client.ts";
import { startEmbeddedPostgres } from "../../infrastructure/db/embedded.ts";
import { migrateDatabase } from "../../infrastructure/db/migrate.ts";
import { defineCommand } from "../define-command.ts";
import { cliEnv, cliLogger } from "../runtime.ts";

export const migrateCommand = defineCommand({
  name: "migrate",
  summary: "Apply pending database migrations (DATABASE_URL, or the embedded database)",
  usage: [
    "Usage: sentinel migrate",
    "",
    "Applies the SQL migrations in migrations/ that the database has not seen yet. Safe to run at any time and",
    "from several processes at once (an advisory lock serialises them). Uses DATABASE_URL when set, otherwise",
    "the embedded database in SENTINEL_DATA_DIR.",
  ].join("\n"),
  flags: {},
  options: z.object({}),
  async run(_options, io) {
    const env = cliEnv();
    const logger = cliLogger(env);
    if (env.DATABASE_URL) {
      const report = await migrateDatabase(env.DATABASE_URL);
      io.stdout.write(`${describe(report)} (${maskDatabaseUrl(env.DATABASE_URL)})\n`);
      return 0;
    }
    const embedded = await startEmbeddedPostgres(env.SENTINEL_DATA_DIR, logger);
    try {
      const report = await migrateDatabase(embedded.url);
      io.stdout.write(`${describe(report)} (embedded database in ${embedded.dataDir})\n`);
    } finally {
      await embedded.stop();
    }
    return 0;
  },
});

function describe(report: { applied: number; total: number }): string {
  return report.applied === 0
    ? `Database schema is current: ${report.total} migration${report.total === 1 ? "" : "s"} applied`
    : `Applied ${report.applied} migration${report.applied === 1 ? "" : "s"} (${report.total} in total)`;
}
