import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { connectPostgres } from "../infrastructure/db/client.ts";
import { createInProcessQueue } from "../infrastructure/queue/in-process-queue.ts";
import { checkHealth } from "./health.ts";

describe("checkHealth", () => {
  let database: TestDatabase;
  const queue = createInProcessQueue();

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await queue.close();
    await database.drop();
  });

  it("reports each dependency as up, with its kind", async () => {
    const report = await checkHealth({ database, queue });
    expect(report.status).toBe("ok");
    expect(report.checks.database).toMatchObject({ state: "up", kind: "PostgreSQL" });
    expect(report.checks.queue).toMatchObject({ state: "up", kind: "in-process" });
  });

  it("reports an unreachable database as down within about a second, naming the error", async () => {
    const unreachable = connectPostgres("postgres://postgres@127.0.0.1:1/none", { applicationName: "health-test", max: 1 });
    const started = performance.now();
    const report = await checkHealth({ database: unreachable, queue });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(report.status).toBe("unavailable");
    expect(report.checks.database.state).toBe("down");
    expect(report.checks.database.error).toBeTruthy();
    expect(report.checks.queue.state).toBe("up");
    await unreachable.close();
  });
});
