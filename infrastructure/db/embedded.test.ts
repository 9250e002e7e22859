import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../logging/logger.ts";
import { connectPostgres, type DatabaseConnection } from "./client.ts";
import { claimDataDirectory, startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded.ts";
import { migrateDatabase } from "./migrate.ts";

const run = promisify(execFile);

/**
 * The one smoke test of the zero-setup path (docs/stack.md: a fresh PGlite directory takes ~7 s to initialise, so the
 * rest of the suite runs on the real PostgreSQL).
 */
describe("embedded PostgreSQL (PGlite)", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sentinel-embedded-"));
  let embedded: EmbeddedPostgres;
  let connection: DatabaseConnection;

  beforeAll(async () => {
    embedded = await startEmbeddedPostgres(dataDir, silentLogger);
    await migrateDatabase(embedded.url);
    connection = connectPostgres(embedded.url, { applicationName: "embedded-test", max: 1 });
  }, 120_000);

  afterAll(async () => {
    await connection?.close();
    await embedded?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("migrates and round-trips rows through the same driver as PostgreSQL, inside transactions", async () => {
    const [org] = await connection.sql<{ id: string }[]>`
      insert into organizations (slug, name) values ('embedded', 'Embedded') returning id`;
    await expect(
      connection.db.transaction(async (tx) => {
        await tx.execute(`insert into organizations (slug, name) values ('rolled-back', 'Rolled back')`);
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    const rows = await connection.sql<{ slug: string }[]>`select slug from organizations order by slug`;
    expect(rows.map((row) => row.slug)).toEqual(["embedded"]);
    expect(org?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses a second process on the same data directory with a message that says what to do", async () => {
    const failure = await run("node", ["bin/sentinel.js", "migrate"], {
      env: { ...process.env, DATABASE_URL: "", SENTINEL_DATA_DIR: dataDir, LOG_LEVEL: "warn" },
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(`already in use by process ${process.pid}`);
    expect(failure?.stderr).toContain("set DATABASE_URL");
  });

  it("takes over an owner file left behind by a process that no longer exists", () => {
    const staleDir = fs.mkdtempSync(path.join(os.tmpdir(), "sentinel-stale-"));
    fs.writeFileSync(path.join(staleDir, "sentinel.owner.json"), JSON.stringify({ pid: 2 ** 22 + 12_345, host: os.hostname() }));
    const release = claimDataDirectory(staleDir);
    const owner = JSON.parse(fs.readFileSync(path.join(staleDir, "sentinel.owner.json"), "utf8")) as { pid: number };
    expect(owner.pid).toBe(process.pid);
    release();
    expect(fs.existsSync(path.join(staleDir, "sentinel.owner.json"))).toBe(false);
    fs.rmSync(staleDir, { recursive: true, force: true });
  });
});
