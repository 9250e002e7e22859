import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env.ts";

function problemsOf(source: Record<string, string>): string[] {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  throw new Error("expected the environment to be rejected");
}

describe("parseEnv", () => {
  it("runs with nothing configured: embedded database, in-process queue, loopback, port 3000", () => {
    const env = parseEnv({}, "/srv/sentinel");
    expect(env.usesEmbeddedDatabase).toBe(true);
    expect(env.usesInProcessQueue).toBe(true);
    expect(env.PORT).toBe(3000);
    expect(env.HOST).toBe("127.0.0.1");
    expect(env.SENTINEL_DATA_DIR).toBe(path.resolve("/srv/sentinel", ".sentinel"));
    expect(env.sessionSecrets).toHaveLength(1);
  });

  it("uses PostgreSQL and Redis when their URLs are set, and treats empty strings as unset", () => {
    const env = parseEnv({ DATABASE_URL: "postgres://u:p@db:5432/sentinel", REDIS_URL: "redis://cache:6379", HOST: "" });
    expect(env.usesEmbeddedDatabase).toBe(false);
    expect(env.usesInProcessQueue).toBe(false);
    expect(env.HOST).toBe("127.0.0.1");
  });

  it("rate limits default to 20 sign-in requests per address, 600 calls per API key and 60 keyless calls per address a minute", () => {
    const env = parseEnv({});
    expect([env.RATE_LIMIT_SIGN_IN_PER_MINUTE, env.RATE_LIMIT_API_PER_MINUTE, env.RATE_LIMIT_API_ANONYMOUS_PER_MINUTE]).toEqual([20, 600, 60]);
    expect(parseEnv({ RATE_LIMIT_API_PER_MINUTE: "1200" }).RATE_LIMIT_API_PER_MINUTE).toBe(1200);
    expect(problemsOf({ RATE_LIMIT_SIGN_IN_PER_MINUTE: "0" })).toEqual(["RATE_LIMIT_SIGN_IN_PER_MINUTE must be at least 1 request per minute"]);
    expect(problemsOf({ RATE_LIMIT_API_PER_MINUTE: "lots" })).toEqual(["RATE_LIMIT_API_PER_MINUTE must be a whole number of requests per minute"]);
  });

  it("believes forwarded client addresses from one proxy in production and none elsewhere, unless TRUST_PROXY_HOPS says", () => {
    const production = { NODE_ENV: "production", SESSION_SECRET: "a-production-session-secret-0123456789" };
    expect(parseEnv(production).trustProxyHops).toBe(1);
    expect(parseEnv({ ...production, TRUST_PROXY_HOPS: "0" }).trustProxyHops).toBe(0);
    expect(parseEnv({}).trustProxyHops).toBe(0);
    expect(parseEnv({ TRUST_PROXY_HOPS: "2" }).trustProxyHops).toBe(2);
    expect(problemsOf({ TRUST_PROXY_HOPS: "yes" })).toEqual(["TRUST_PROXY_HOPS must be a whole number of proxies"]);
  });

  it("names the variable and what is wrong with it", () => {
    expect(problemsOf({ PORT: "eighty" })).toEqual([expect.stringMatching(/^PORT /)]);
    expect(problemsOf({ DATABASE_URL: "mysql://localhost/db" })).toEqual([
      "DATABASE_URL must be a postgres:// or postgresql:// URL",
    ]);
    expect(problemsOf({ REDIS_URL: "localhost:6379" })).toEqual(["REDIS_URL must be a redis:// or rediss:// URL"]);
    expect(problemsOf({ REDIS_PREFIX: "a:b" })[0]).toMatch(/^REDIS_PREFIX /);
  });

  it("takes per-queue worker concurrency as whole numbers from 1 to 256, unset by default", () => {
    const env = parseEnv({ WORKER_CONCURRENCY_ANALYSIS: "32", WORKER_CONCURRENCY_WEBHOOKS: "" });
    expect(env.WORKER_CONCURRENCY_ANALYSIS).toBe(32);
    expect(env.WORKER_CONCURRENCY_WEBHOOKS).toBeUndefined();
    expect(problemsOf({ WORKER_CONCURRENCY_ANALYSIS: "0" })).toEqual([expect.stringMatching(/^WORKER_CONCURRENCY_ANALYSIS /)]);
    expect(problemsOf({ WORKER_CONCURRENCY_NOTIFICATIONS: "2.5" })).toEqual(["WORKER_CONCURRENCY_NOTIFICATIONS must be a whole number of jobs"]);
    expect(problemsOf({ WORKER_CONCURRENCY_SCHEDULED_JOBS: "many" })).toEqual(["WORKER_CONCURRENCY_SCHEDULED_JOBS must be a whole number of jobs"]);
  });

  it("takes the worker's metrics port as a port number, off when unset", () => {
    expect(parseEnv({ WORKER_METRICS_PORT: "9464" }).WORKER_METRICS_PORT).toBe(9464);
    expect(parseEnv({ WORKER_METRICS_PORT: "" }).WORKER_METRICS_PORT).toBeUndefined();
    expect(problemsOf({ WORKER_METRICS_PORT: "70000" })).toEqual([expect.stringMatching(/^WORKER_METRICS_PORT /)]);
    expect(problemsOf({ WORKER_METRICS_PORT: "metrics" })).toEqual([expect.stringMatching(/^WORKER_METRICS_PORT /)]);
  });

  it("accepts a Redis Cluster hash tag as the key prefix", () => {
    expect(parseEnv({ REDIS_PREFIX: "{sentinel}" }).REDIS_PREFIX).toBe("{sentinel}");
    expect(problemsOf({ REDIS_PREFIX: "{sentinel" })[0]).toMatch(/^REDIS_PREFIX /);
    expect(problemsOf({ REDIS_PREFIX: "a{b}" })[0]).toMatch(/^REDIS_PREFIX /);
  });

  it("reports every bad variable at once", () => {
    expect(problemsOf({ PORT: "-1", LOG_LEVEL: "loud" })).toHaveLength(2);
  });

  it("refuses production without a session secret, or with a short one", () => {
    expect(problemsOf({ NODE_ENV: "production" })[0]).toMatch(/^SESSION_SECRET is required when NODE_ENV=production/);
    expect(problemsOf({ NODE_ENV: "production", SESSION_SECRET: "short" })[0]).toMatch(/at least 32 characters/);
  });

  it("binds all interfaces in production and rotates session secrets newest first", () => {
    const newest = "n".repeat(32);
    const older = "o".repeat(32);
    const env = parseEnv({ NODE_ENV: "production", SESSION_SECRET: `${newest}, ${older}` });
    expect(env.HOST).toBe("0.0.0.0");
    expect(env.sessionSecrets).toEqual([newest, older]);
    expect(env.isProduction).toBe(true);
  });
});

describe("notification settings", () => {
  it("defaults the vendor endpoints and leaves the channels unconfigured", () => {
    const env = parseEnv({});
    expect(env.SLACK_API_URL).toBe("https://slack.com/api/");
    expect(env.PAGERDUTY_EVENTS_URL).toBe("https://events.pagerduty.com/v2/enqueue");
    expect(env.RESEND_BASE_URL).toBeUndefined();
    expect(env.SLACK_BOT_TOKEN).toBeUndefined();
    expect(env.NOTIFY_ALLOWED_HOSTS).toEqual([]);
  });

  it("names the bad variable with what it expects", () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: "abc" })).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN must be a Slack bot token starting with xoxb-/)]);
    expect(problemsOf({ RESEND_BASE_URL: "ftp://x" })).toEqual([expect.stringMatching(/^RESEND_BASE_URL must be an http\(s\) URL/)]);
    expect(problemsOf({ RESEND_API_KEY: "re_123" })).toEqual([expect.stringMatching(/^ALERT_EMAIL_FROM is required when the other email setting is set/)]);
    expect(problemsOf({ RESEND_API_KEY: "re_123", ALERT_EMAIL_FROM: "nobody" })).toEqual([expect.stringMatching(/^ALERT_EMAIL_FROM must be an address/)]);
    const env = parseEnv({ RESEND_API_KEY: "re_123", ALERT_EMAIL_FROM: "Sentinel <alerts@example.com>", NOTIFY_ALLOWED_HOSTS: " Hooks.Internal , " });
    expect(env.NOTIFY_ALLOWED_HOSTS).toEqual(["hooks.internal"]);
    expect(parseEnv({ NOTIFY_ALLOWED_HOSTS: "127.0.0.1:9999,[::1]:8443" }).NOTIFY_ALLOWED_HOSTS).toEqual(["127.0.0.1:9999", "[::1]:8443"]);
    expect(problemsOf({ NOTIFY_ALLOWED_HOSTS: "hooks.internal, https://hooks.internal/x" })).toEqual([expect.stringMatching(/^NOTIFY_ALLOWED_HOSTS.*must be host names or host:port entries/)]);
  });
});

describe("SENTINEL_FIXED_NOW", () => {
  it("starts the services' clock at that instant, and is refused in production or when it is not an instant", async () => {
    const { clockStartingAt } = await import("../../server/services.ts");
    const env = parseEnv({ SENTINEL_FIXED_NOW: "2026-11-20T12:00:00Z" });
    expect(env.SENTINEL_FIXED_NOW).toBe("2026-11-20T12:00:00Z");
    let real = Date.parse("2031-01-01T00:00:00Z");
    const clock = clockStartingAt(new Date(env.SENTINEL_FIXED_NOW!), { now: () => new Date(real) });
    expect(clock.now().toISOString()).toBe("2026-11-20T12:00:00.000Z");
    real += 90_000;
    expect(clock.now().toISOString()).toBe("2026-11-20T12:01:30.000Z");
    expect(problemsOf({ SENTINEL_FIXED_NOW: "yesterday" }).join("\n")).toMatch(/SENTINEL_FIXED_NOW must be an ISO 8601 instant/);
    expect(problemsOf({ NODE_ENV: "production", SESSION_SECRET: "s".repeat(32), SENTINEL_FIXED_NOW: "2026-11-20T12:00:00Z" }).join("\n")).toMatch(
      /SENTINEL_FIXED_NOW is for tests and demo recordings only/,
    );
  });
});

describe("retention settings", () => {
  it("default to a 30-day grace, 90 days of payloads and survival's patch window, and name a bad value", () => {
    const env = parseEnv({});
    expect([env.SENTINEL_PURGE_AFTER_DAYS, env.SENTINEL_PAYLOAD_RETENTION_DAYS, env.SENTINEL_PATCH_RETENTION_DAYS]).toEqual([30, 90, undefined]);
    expect(parseEnv({ SENTINEL_PURGE_AFTER_DAYS: "0", SENTINEL_PATCH_RETENTION_DAYS: "400" })).toMatchObject({ SENTINEL_PURGE_AFTER_DAYS: 0, SENTINEL_PATCH_RETENTION_DAYS: 400 });
    expect(problemsOf({ SENTINEL_PURGE_AFTER_DAYS: "a month" }).join("\n")).toMatch(/SENTINEL_PURGE_AFTER_DAYS must be a whole number of days/);
    expect(problemsOf({ SENTINEL_PAYLOAD_RETENTION_DAYS: "0" }).join("\n")).toMatch(/SENTINEL_PAYLOAD_RETENTION_DAYS/);
    expect(problemsOf({ SENTINEL_PATCH_RETENTION_DAYS: "1.5" }).join("\n")).toMatch(/SENTINEL_PATCH_RETENTION_DAYS must be a whole number of days/);
  });
});
