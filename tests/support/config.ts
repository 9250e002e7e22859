/** Where the tests find the real services (docs/stack.md: both run on every machine and in CI). */
export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
/**
 * The migrated database every test file clones. One per test run (global setup names it after its process and
 * passes the name to the workers in the environment), so two runs on one machine — different checkouts, different
 * migrations — never drop each other's template.
 */
export const TEMPLATE_DATABASE = process.env.SENTINEL_TEST_TEMPLATE ?? "sentinel_test_template";
export const TEMPLATE_PREFIX = "sentinel_test_template_";

export function databaseUrl(name: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
