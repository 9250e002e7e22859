import { describe, expect, it } from "vitest";
import type { TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { seedDemoOrganization } from "../../demo/seed.ts";
import { bufferIo, useCliDatabase } from "../../tests/support/cli.ts";
import { CliUsageError } from "../command.ts";
import { metricsCommand } from "./metrics.ts";

let database: TestDatabase;
let repoName: string;

useCliDatabase(async (created) => {
  database = created;
  const { services, close } = await createTestServices(database);
  try {
    await seedDemoOrganization({ db: services.db, queue: services.queue, logger: services.logger }, { analysis: "inline", days: 10, now: new Date("2026-03-20T18:00:00Z"), metrics: false });
  } finally {
    await close();
  }
  const [repo] = await database.sql<{ full_name: string }[]>`select full_name from repositories order by full_name limit 1`;
  repoName = repo!.full_name;
}, 240_000);

describe("sentinel metrics recompute", () => {
  it("recomputes one repository's range with progress, and a rerun leaves the same rows", async () => {
    const io = bufferIo();
    const args = ["recompute", "--repo", repoName, "--from", "2026-03-10", "--to", "2026-03-19"];
    expect(await metricsCommand.run(args, io)).toBe(0);
    expect(io.out()).toMatch(new RegExp(`${repoName}: 10 day\\(s\\) 2026-03-10 … 2026-03-19 recomputed, \\d+ survival cohort`));
    expect(io.err()).toContain(`${repoName}: 10/10 (100 %)`);
    const first = await database.sql`select * from repo_metrics order by date`;
    expect(first.map((row) => row.date)).toHaveLength(10);
    // `recompute` is optional: the form `sentinel metrics --repo … --from … --to …` does the same.
    expect(await metricsCommand.run(args.slice(1), bufferIo())).toBe(0);
    expect(await database.sql`select * from repo_metrics order by date`).toEqual(first);
  });

  it("says which repository it cannot find, and rejects bad input with one line", async () => {
    const io = bufferIo();
    expect(await metricsCommand.run(["recompute", "--repo", "nobody/nothing"], io)).toBe(1);
    expect(io.err()).toBe("sentinel metrics: no enabled repository named nobody/nothing\n");
    await expect(metricsCommand.run(["recompute", "--from", "2026-03-10", "--to", "2026-03-01"], bufferIo())).rejects.toThrow("--from must not be after --to");
    await expect(metricsCommand.run(["recompute", "--from", "2026-02-30"], bufferIo())).rejects.toThrow("--from must be a date YYYY-MM-DD");
    await expect(metricsCommand.run(["rebuild"], bufferIo())).rejects.toThrow('unexpected argument "rebuild"');
    await expect(metricsCommand.run(["recalculate"], bufferIo())).rejects.toBeInstanceOf(CliUsageError);
  });
});
