import { afterAll, beforeAll } from "vitest";
import type { Clock } from "../../domain/ports.ts";
import type { CliIo } from "../../cli/command.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";

/** A CliIo that collects what a command writes, for assertions. */
export function bufferIo(options: { isTTY?: boolean; clock?: Clock } = {}): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: { write: (chunk: string) => ((out += chunk), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (chunk: string) => ((err += chunk), true) } as unknown as NodeJS.WritableStream,
    isTTY: options.isTTY ?? false,
    clock: options.clock,
    out: () => out,
    err: () => err,
  };
}

/**
 * Points the CLI under test at a throwaway database for the whole file: DATABASE_URL set, REDIS_URL removed (so the
 * in-process queue), both restored and the database dropped afterwards. `setup` runs once the database exists, before
 * any test: the place to keep the handle and seed rows.
 */
export function useCliDatabase(setup: (database: TestDatabase) => Promise<void> | void, setupTimeoutMs?: number): void {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL };
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    await setup(database);
    process.env.DATABASE_URL = database.url;
    delete process.env.REDIS_URL;
  }, setupTimeoutMs);
  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await database?.drop();
  });
}
