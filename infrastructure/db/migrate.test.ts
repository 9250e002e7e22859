import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";

const run = promisify(execFile);

/** `npx sentinel migrate` against an empty database, through the real CLI entry point. */
describe("sentinel migrate", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
  });
  afterAll(async () => {
    await database.drop();
  });

  it("creates every table and the read-optimised indexes on an empty database, and is a no-op the second time", async () => {
    // Trust auth ignores the password, which lets the test check it is never printed.
    const withPassword = database.url.replace("postgres@", "postgres:s3cret-pw@");
    const env = { ...process.env, DATABASE_URL: withPassword, LOG_LEVEL: "warn" };
    const first = await run("node", ["bin/sentinel.js", "migrate"], { env });
    expect(first.stdout).toMatch(/^Applied \d+ migrations? \(\d+ in total\)/);
    expect(first.stdout).not.toContain("s3cret-pw");
    expect(first.stdout).toContain("postgres:****@");

    const tables = await database.sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public'`;
    expect(tables.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        "organizations",
        "users",
        "organization_members",
        "github_installations",
        "api_keys",
        "repositories",
        "code_events",
        "code_attribution",
        "repo_metrics",
        "alerts",
        "incidents",
        "incident_commits",
        "webhook_deliveries",
        "commits",
        "pull_requests",
        "deployments",
      ]),
    );

    const indexes = await database.sql<{ indexdef: string }[]>`
      select indexdef from pg_indexes where schemaname = 'public'`;
    const definitions = indexes.map((row) => row.indexdef);
    const expectIndex = (pattern: RegExp) => expect(definitions.some((definition) => pattern.test(definition))).toBe(true);
    expectIndex(/ON public\.code_events USING btree \(repo_id, "timestamp" DESC\)/);
    expectIndex(/ON public\.code_events USING btree \(commit_sha\) WHERE \(commit_sha IS NOT NULL\)/);
    expectIndex(/ON public\.code_attribution USING btree \(repo_id, ai_confidence DESC\)/);
    expectIndex(/UNIQUE INDEX \S+ ON public\.code_attribution USING btree \(repo_id, commit_sha, file_path\)/);
    expectIndex(/UNIQUE INDEX \S+ ON public\.repo_metrics USING btree \(repo_id, date DESC\)/);
    expectIndex(/ON public\.alerts USING btree \(repo_id, triggered_at DESC\)/);

    // Webhook payloads (~2 KB, compressed by PostgreSQL) are written with lz4 where the server has it (ADR 024).
    const [payload] = await database.sql<{ compression: string }[]>`
      select attcompression as compression from pg_attribute where attrelid = 'webhook_deliveries'::regclass and attname = 'payload'`;
    expect(payload!.compression).toBe("l");

    const second = await run("node", ["bin/sentinel.js", "migrate"], { env });
    expect(second.stdout).toMatch(/^Database schema is current/);
  });

  it("fails with one clear line when the database cannot be reached", async () => {
    const env = { ...process.env, DATABASE_URL: "postgres://postgres@127.0.0.1:1/nowhere", LOG_LEVEL: "warn" };
    const failure = await run("node", ["bin/sentinel.js", "migrate"], { env }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim().split("\n")).toHaveLength(1);
    expect(failure?.stderr).toMatch(/^sentinel migrate: /);
  });

  it("names a malformed DATABASE_URL and exits 2", async () => {
    const env = { ...process.env, DATABASE_URL: "mysql://x", LOG_LEVEL: "warn" };
    const failure = await run("node", ["bin/sentinel.js", "migrate"], { env }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain("DATABASE_URL must be a postgres:// or postgresql:// URL");
  });
});
