import { execFileSync } from "node:child_process";
import fs from "node:fs";
import postgres from "postgres";
import { Redis } from "ioredis";
import { migrateDatabase } from "../infrastructure/db/migrate.ts";
import { TEMPLATE_PREFIX, TEST_POSTGRES_URL, TEST_REDIS_URL, databaseUrl } from "./support/config.ts";

/** A template left by a run whose process is gone (killed, crashed): its pid is in its name. */
function isOrphan(name: string): boolean {
  const pid = Number(name.slice(TEMPLATE_PREFIX.length));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * Once per test run: migrate a template database that every integration test file clones (CREATE DATABASE …
 * TEMPLATE takes ~100 ms, so each file gets its own database and files can run in parallel), and check that
 * Redis answers, with a message that says what to start if it does not.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const template = `${TEMPLATE_PREFIX}${process.pid}`;
  // Inherited by the test workers, which vitest starts after this setup (tests/support/config.ts reads it).
  process.env.SENTINEL_TEST_TEMPLATE = template;
  // The process tests start the real server, which serves the Remix build. `npm test` builds first; a bare
  // `npx vitest` on a fresh clone builds here.
  if (!fs.existsSync("build/index.js")) execFileSync("node", ["node_modules/.bin/remix", "build"], { stdio: "ignore" });

  const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });
  try {
    await admin`select 1`;
  } catch (error) {
    await admin.end();
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_POSTGRES_URL} (${(error as Error).message}). ` +
        "Start it (see docs/stack.md) or set TEST_DATABASE_URL.",
    );
  }
  try {
    const existing = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${TEMPLATE_PREFIX}%`}`;
    for (const { datname } of existing) {
      if (datname === template || isOrphan(datname)) await admin.unsafe(`drop database if exists ${datname} with (force)`);
    }
    await admin.unsafe(`create database ${template}`);
  } finally {
    await admin.end();
  }
  await migrateDatabase(databaseUrl(template));

  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Redis is not reachable at ${TEST_REDIS_URL} (${(error as Error).message}). Start it or set TEST_REDIS_URL.`);
  } finally {
    redis.disconnect();
  }

  return async () => {
    const cleanup = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });
    try {
      await cleanup.unsafe(`drop database if exists ${template} with (force)`);
    } finally {
      await cleanup.end();
    }
  };
}
