import path from "node:path";
import { z } from "zod";

/**
 * The one place that reads process.env. Every process (web, worker, CLI) parses it once at boot;
 * a bad value stops the process with a message naming the variable.
 */

const emptyAsUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());

const postgresUrl = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .refine((value) => /^postgres(ql)?:\/\//.test(value), "must be a postgres:// or postgresql:// URL")
    .optional(),
);

const redisUrl = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .refine((value) => /^rediss?:\/\//.test(value), "must be a redis:// or rediss:// URL")
    .optional(),
);

const httpUrl = (fallback: string) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .url("must be an http(s) URL")
      .refine((value) => /^https?:\/\//.test(value), "must be an http(s) URL")
      .default(fallback),
  );

const workerConcurrency = z.preprocess(
  emptyAsUndefined,
  z.coerce.number({ error: "must be a whole number of jobs" }).int("must be a whole number of jobs").min(1).max(256).optional(),
);

const perMinuteLimit = (fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: "must be a whole number of requests per minute" })
      .int("must be a whole number of requests per minute")
      .min(1, "must be at least 1 request per minute")
      .max(1_000_000)
      .default(fallback),
  );

/** Settings that work only as a pair: one set without the other stops the process, naming the one missing. */
const SETTINGS_SET_TOGETHER = [
  ["GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GitHub App credential"],
  ["RESEND_API_KEY", "ALERT_EMAIL_FROM", "email setting"],
  ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "GitHub sign-in credential"],
] as const;

export const envSchema = z
  .object({
    NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(["development", "production", "test"]).default("development")),
    DATABASE_URL: postgresUrl,
    DATABASE_POOL_MAX: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(100).default(10)),
    /** Jobs one worker process runs at once, per queue; unset keeps the defaults in jobs/workers.ts. */
    WORKER_CONCURRENCY_WEBHOOKS: workerConcurrency,
    WORKER_CONCURRENCY_ANALYSIS: workerConcurrency,
    WORKER_CONCURRENCY_SCHEDULED_JOBS: workerConcurrency,
    WORKER_CONCURRENCY_NOTIFICATIONS: workerConcurrency,
    REDIS_URL: redisUrl,
    /**
     * Key prefix for every BullMQ and lock key, so several installs (or test files) can share one Redis. May be
     * wrapped in braces, `{sentinel}`, a hash tag that keeps every key in one slot of a sharded Redis.
     */
    REDIS_PREFIX: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^(?:[A-Za-z0-9_-]+|\{[A-Za-z0-9_-]+\})$/, "may contain only letters, digits, '-' and '_', optionally wrapped in braces ({sentinel})")
        .default("sentinel"),
    ),
    PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    /**
     * `start:worker` only: a port for /healthz, /readyz and /metrics (METRICS_TOKEN), so Prometheus can scrape the
     * job series a worker process records. Unset: the worker serves no HTTP.
     */
    WORKER_METRICS_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).optional()),
    /** Defaults to loopback outside production: the zero-setup demo has a password-less sign-in. */
    HOST: optionalString,
    SESSION_SECRET: optionalString,
    SENTINEL_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default("./.sentinel")),
    /** auto: seed the demo organisation into an empty database outside production. */
    SENTINEL_DEMO_DATA: z.preprocess(emptyAsUndefined, z.enum(["auto", "on", "off"]).default("auto")),
    /**
     * Tests and demo recordings only (refused in production): the instant "now" starts from, so the demo organisation
     * and every page's "last N days" are the same whatever the date the process starts on. Time still passes from it.
     */
    SENTINEL_FIXED_NOW: z.preprocess(emptyAsUndefined, z.iso.datetime({ offset: true, error: "must be an ISO 8601 instant such as 2026-11-20T12:00:00Z" }).optional()),
    LOG_LEVEL: z.preprocess(
      emptyAsUndefined,
      z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    ),
    /** Public base URL of this install, used in links that leave Sentinel (alerts, GitHub App setup). */
    PUBLIC_URL: z.preprocess(emptyAsUndefined, z.string().url("must be a URL such as https://sentinel.example.com").optional()),
    GITHUB_API_URL: httpUrl("https://api.github.com"),
    /** GitHub's web address (GitHub Enterprise Server: https://HOST), where the Setup page sends the App manifest. */
    GITHUB_WEB_URL: httpUrl("https://github.com"),
    /**
     * How many proxies in front of Sentinel append to X-Forwarded-For (and set X-Forwarded-Proto/-Host): the client
     * address the rate limits key on is read that many hops back. 0: the socket's address, forwarded headers are
     * ignored. Unset: 1 in production (Sentinel behind one TLS-terminating proxy), 0 otherwise. Set 0 in production
     * when clients connect directly, or anyone can pick the address they are counted under.
     */
    TRUST_PROXY_HOPS: z.preprocess(
      emptyAsUndefined,
      z.coerce.number({ error: "must be a whole number of proxies" }).int("must be a whole number of proxies").min(0).max(10).optional(),
    ),
    /**
     * Sign-in requests per client address per minute, across POST /login, /auth/github and its callback, POST /setup
     * and /setup/callback. A GitHub sign-in spends two (the POST and the callback): the default allows ten a minute
     * from one address (an office behind one NAT), far too few to guess a state, a code or the setup token.
     */
    RATE_LIMIT_SIGN_IN_PER_MINUTE: perMinuteLimit(20),
    /** Requests per minute one API key may make to /api/v1. */
    RATE_LIMIT_API_PER_MINUTE: perMinuteLimit(600),
    /** Requests per minute to /api/v1 from one client address without a valid API key (each refused key counts). */
    RATE_LIMIT_API_ANONYMOUS_PER_MINUTE: perMinuteLimit(60),
    /** Bearer token Prometheus sends to GET /metrics; unset disables the endpoint. */
    METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, "must be at least 16 characters").optional()),
    /** The GitHub App's numeric id (App settings → "App ID"). With GITHUB_APP_PRIVATE_KEY it enables the GitHub API. */
    GITHUB_APP_ID: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be the App's numeric id" }).int().positive().optional()),
    /** The App's private key: the PEM text itself (newlines may be written as \n), or a path to the .pem file. */
    GITHUB_APP_PRIVATE_KEY: optionalString,
    /** The App's URL name (github.com/apps/<slug>), used for the "Install the GitHub App" link. */
    GITHUB_APP_SLUG: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]*$/i, "must be the App's URL name, e.g. sentinel-acme")
        .optional(),
    ),
    /** Secret GitHub signs webhook deliveries with; the webhook route answers 401 to everything without it. */
    GITHUB_WEBHOOK_SECRET: optionalString,
    /** The secret before a rotation: deliveries signed with it are still accepted until it is unset. */
    GITHUB_WEBHOOK_SECRET_PREVIOUS: optionalString,
    /**
     * MiB of webhook bodies the web process holds before their signature is checked; a delivery that does not fit
     * is answered 503 with Retry-After. Bodies over 1 MiB may use three quarters of it (the rest stays for ordinary
     * deliveries), and at least one 25 MB delivery (GitHub's limit) must fit: 40 or more.
     */
    SENTINEL_WEBHOOK_BUFFER_MB: z.preprocess(
      emptyAsUndefined,
      z.coerce
        .number({ error: "must be a whole number of MiB" })
        .int("must be a whole number of MiB")
        .min(40, "must be at least 40 MiB (a 25 MB delivery must fit in the three quarters large bodies may use)")
        .max(16_384)
        .default(64),
    ),
    /** GitHub OAuth App (or the GitHub App's own OAuth credentials) for "Sign in with GitHub"; both or neither. */
    GITHUB_CLIENT_ID: optionalString,
    GITHUB_CLIENT_SECRET: optionalString,
    /** How far back a newly added repository's default branch is imported through the API. */
    GITHUB_BACKFILL_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(3650).default(90)),
    /** Slack Web API base URL (a local fake in tests). Alerts post with chat.postMessage as the bot of SLACK_BOT_TOKEN. */
    SLACK_API_URL: httpUrl("https://slack.com/api/"),
    /** Slack bot token (xoxb-…) with chat:write and channels:history; without it Slack channels cannot deliver. */
    SLACK_BOT_TOKEN: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^xox[a-z]-/, "must be a Slack bot token starting with xoxb- (Slack app → OAuth & Permissions)")
        .optional(),
    ),
    /**
     * Encrypts notification-channel secrets at rest (PagerDuty routing keys, Slack webhook URLs). Changing it makes
     * stored secrets unreadable: re-enter them. Generate one with `openssl rand -hex 32`.
     */
    SENTINEL_SECRET_KEY: z.preprocess(emptyAsUndefined, z.string().min(32, "must be at least 32 characters (generate one with `openssl rand -hex 32`)").optional()),
    /** Resend API base URL (a local fake in tests); the SDK's default when unset. */
    RESEND_BASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .url("must be an http(s) URL such as https://api.resend.com")
        .refine((value) => /^https?:\/\//.test(value), "must be an http(s) URL such as https://api.resend.com")
        .optional(),
    ),
    /** Resend API key (re_…); with ALERT_EMAIL_FROM it enables email alerts. */
    RESEND_API_KEY: optionalString,
    /** Sender of alert emails, on a domain verified in Resend: `alerts@example.com` or `Sentinel <alerts@example.com>`. */
    ALERT_EMAIL_FROM: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^(?:[^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/, "must be an address such as alerts@example.com or Sentinel <alerts@example.com>")
        .optional(),
    ),
    /** PagerDuty Events API v2 endpoint (a local fake in tests). */
    PAGERDUTY_EVENTS_URL: httpUrl("https://events.pagerduty.com/v2/enqueue"),
    /**
     * Days a removed repository (or every repository of an uninstalled App) stays hidden before the daily retention
     * job deletes its data: events, patches, attributions, metrics, alerts. 0 purges at the next run.
     */
    SENTINEL_PURGE_AFTER_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a whole number of days" }).int("must be a whole number of days").min(0).max(3650).default(30)),
    /** Days a processed webhook delivery keeps its raw payload; the delivery's row (id, event, status) stays. */
    SENTINEL_PAYLOAD_RETENTION_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a whole number of days" }).int("must be a whole number of days").min(1).max(3650).default(90)),
    /**
     * Days a commit's stored patch text is kept (counted from its author time). Unset: as long as line survival and
     * churn read it (26 weekly cohorts plus the 14-day churn window, 196 days). Older patches are emptied; their
     * lines are then "unknown" to a replay, and `sentinel rescore` cannot rebuild those commits.
     */
    SENTINEL_PATCH_RETENTION_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a whole number of days" }).int("must be a whole number of days").min(1).max(36500).optional()),
    /**
     * Comma-separated `host` or `host:port` entries (IPv6 in brackets) that tenant-entered notification URLs may use
     * although they are not Slack's webhook hosts, use http, or resolve to private addresses (an internal
     * Slack-compatible gateway, the local fakes in tests). A `host` entry allows every port of it. Empty: Slack
     * webhooks only on hooks.slack.com / hooks.slack-gov.com, and every private, loopback and link-local address refused.
     */
    NOTIFY_ALLOWED_HOSTS: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .default("")
        .transform((value) =>
          value
            .split(",")
            .map((host) => host.trim().toLowerCase())
            .filter(Boolean),
        )
        .pipe(
          z.array(
            z.string().regex(/^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(:\d{1,5})?$/, "must be host names or host:port entries separated by commas, e.g. hooks.internal,127.0.0.1:9999"),
          ),
        ),
    ),
  })
  .superRefine((env, context) => {
    for (const [first, second, what] of SETTINGS_SET_TOGETHER) {
      if ((env[first] === undefined) !== (env[second] === undefined)) {
        context.addIssue({
          code: "custom",
          path: [env[first] === undefined ? first : second],
          message: `is required when the other ${what} is set (${first} and ${second} go together)`,
        });
      }
    }
    if (env.GITHUB_WEBHOOK_SECRET_PREVIOUS !== undefined && env.GITHUB_WEBHOOK_SECRET === undefined) {
      context.addIssue({
        code: "custom",
        path: ["GITHUB_WEBHOOK_SECRET"],
        message: "is required when GITHUB_WEBHOOK_SECRET_PREVIOUS is set (the previous secret only helps during a rotation)",
      });
    }
    if (env.NODE_ENV === "production" && env.SENTINEL_FIXED_NOW !== undefined) {
      context.addIssue({ code: "custom", path: ["SENTINEL_FIXED_NOW"], message: "is for tests and demo recordings only; production reads the system clock" });
    }
    if (env.NODE_ENV === "production") {
      const secrets = (env.SESSION_SECRET ?? "").split(",").map((secret) => secret.trim());
      if (!env.SESSION_SECRET) {
        context.addIssue({
          code: "custom",
          path: ["SESSION_SECRET"],
          message: "is required when NODE_ENV=production (generate one with `openssl rand -hex 32`)",
        });
      } else if (secrets.some((secret) => secret.length < 32)) {
        context.addIssue({
          code: "custom",
          path: ["SESSION_SECRET"],
          message: "each comma-separated secret must be at least 32 characters",
        });
      }
    }
  });

export type RawEnv = z.infer<typeof envSchema>;

export interface Env extends Omit<RawEnv, "HOST" | "SESSION_SECRET" | "SENTINEL_DATA_DIR"> {
  HOST: string;
  /** Newest first; the first signs new cookies, all verify (rotation). */
  sessionSecrets: string[];
  /** Absolute path. */
  SENTINEL_DATA_DIR: string;
  isProduction: boolean;
  /** True when DATABASE_URL is unset: the process owns an embedded PGlite database in SENTINEL_DATA_DIR. */
  usesEmbeddedDatabase: boolean;
  /** True when REDIS_URL is unset: queues run in-process. */
  usesInProcessQueue: boolean;
  /** TRUST_PROXY_HOPS with its default applied. */
  trustProxyHops: number;
}

export class EnvError extends Error {
  override name = "EnvError";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  }
}

/** Development fallback so the zero-setup start works; production refuses to start without a real secret. */
const DEVELOPMENT_SESSION_SECRET = "sentinel-development-session-secret-not-for-production";

export function parseEnv(source: Record<string, string | undefined>, cwd = process.cwd()): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((issue) => {
        const variable = issue.path.join(".") || "environment";
        return `${variable} ${issue.message}`;
      }),
    );
  }
  const raw = result.data;
  const isProduction = raw.NODE_ENV === "production";
  return {
    ...raw,
    HOST: raw.HOST ?? (isProduction ? "0.0.0.0" : "127.0.0.1"),
    sessionSecrets: raw.SESSION_SECRET
      ? raw.SESSION_SECRET.split(",").map((secret) => secret.trim()).filter(Boolean)
      : [DEVELOPMENT_SESSION_SECRET],
    SENTINEL_DATA_DIR: path.resolve(cwd, raw.SENTINEL_DATA_DIR),
    isProduction,
    usesEmbeddedDatabase: raw.DATABASE_URL === undefined,
    usesInProcessQueue: raw.REDIS_URL === undefined,
    trustProxyHops: raw.TRUST_PROXY_HOPS ?? (isProduction ? 1 : 0),
  };
}

/** For process entry points: parse or print the problems and exit 1. */
export function loadEnvOrExit(): Env {
  try {
    return parseEnv(process.env);
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(`sentinel: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}
