import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { parseEnv } from "../config/env.ts";
import { captureLogger } from "../../tests/support/logs.ts";
import { chooseLogFormat, configuredSecrets, isoTimestamp, withLogContext } from "./logger.ts";

// Shapes of the real thing, values made up for the test.
const SECRETS = {
  sessionSecret: "session-secret-0123456789abcdefghijklmnopqrstuvwxyz",
  previousSessionSecret: "older-session-secret-0123456789abcdefghijklmnop",
  webhookSecret: "whsec-9f8e7d6c5b4a39281706f5e4d3c2b1a0",
  previousWebhookSecret: "whsec-previous-00112233445566778899",
  privateKeyBody: "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0",
  installationToken: "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
  appJwt: "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjEyMzQ1LCJpYXQiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU",
  slackBotToken: "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx",
  resendApiKey: "re_AbCdEf123456_GhIjKlMnOpQrStUv",
  pagerDutyRoutingKey: "R0UT1NGKEY00000000000000000000AB",
  slackWebhookPath: "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
  apiKey: "snt_4Nq8ZkP0sVw2Rt7Yx1Lm3Bc9Df6Gh5Jk0a1B2c",
  databasePassword: "pg-pa55word-do-not-log",
  redisPassword: "redis-pa55word-do-not-log",
  sentinelSecretKey: "0123456789abcdef0123456789abcdef0123456789abcdef",
  metricsToken: "metrics-token-0123456789",
  oauthClientSecret: "oauth-client-secret-0a1b2c3d4e5f",
  sessionCookie: "eyJ1c2VySWQiOiJ1LTEifQ%3D%3D.c2lnbmVkLWNvb2tpZS12YWx1ZQ",
};
const PRIVATE_KEY = `-----BEGIN RSA PRIVATE KEY-----\n${SECRETS.privateKeyBody}\n-----END RSA PRIVATE KEY-----\n`;
const DATABASE_URL = `postgres://sentinel:${SECRETS.databasePassword}@db.internal:5432/sentinel`;

function environment() {
  return parseEnv({
    NODE_ENV: "production",
    DATABASE_URL,
    REDIS_URL: `redis://default:${SECRETS.redisPassword}@redis.internal:6379`,
    SESSION_SECRET: `${SECRETS.sessionSecret},${SECRETS.previousSessionSecret}`,
    GITHUB_APP_ID: "12345",
    GITHUB_APP_PRIVATE_KEY: PRIVATE_KEY,
    GITHUB_WEBHOOK_SECRET: SECRETS.webhookSecret,
    GITHUB_WEBHOOK_SECRET_PREVIOUS: SECRETS.previousWebhookSecret,
    GITHUB_CLIENT_ID: "Iv1.0123456789abcdef",
    GITHUB_CLIENT_SECRET: SECRETS.oauthClientSecret,
    SLACK_BOT_TOKEN: SECRETS.slackBotToken,
    RESEND_API_KEY: SECRETS.resendApiKey,
    ALERT_EMAIL_FROM: "alerts@sentinel.example",
    SENTINEL_SECRET_KEY: SECRETS.sentinelSecretKey,
    METRICS_TOKEN: SECRETS.metricsToken,
  });
}

/** What @octokit/request-error carries: the request that failed (headers, body) and the response. */
function octokitStyleError(): Error {
  return Object.assign(new Error("Bad credentials - https://docs.github.com/rest"), {
    name: "HttpError",
    status: 401,
    request: {
      method: "POST",
      url: "https://api.github.com/app/installations/42/access_tokens",
      headers: { accept: "application/vnd.github+json", authorization: `bearer ${SECRETS.appJwt}`, "user-agent": "sentinel" },
      body: JSON.stringify({ client_id: "Iv1.0123456789abcdef", client_secret: SECRETS.oauthClientSecret }),
    },
    response: {
      status: 401,
      url: "https://api.github.com/repos/acme/api/commits/abc",
      headers: { "x-github-request-id": "ABCD:1234", "set-cookie": `logged_in=no; token=${SECRETS.installationToken}` },
      data: { message: "Bad credentials", token: SECRETS.installationToken },
    },
  });
}

describe("createLogger: secrets never reach a log line", () => {
  it("redacts every secret Sentinel handles, in the shapes the code logs them", () => {
    const env = environment();
    const { logger, text, lines } = captureLogger({ secrets: configuredSecrets(env) });

    // Request headers, flat and nested (a request object, a webhook request).
    logger.info(
      {
        headers: { authorization: `Bearer ${SECRETS.apiKey}`, cookie: `__session=${SECRETS.sessionCookie}`, "x-hub-signature-256": "sha256=abc" },
        request: { method: "POST", headers: { Authorization: `token ${SECRETS.installationToken}`, Cookie: `__session=${SECRETS.sessionCookie}` } },
      },
      "request",
    );
    // Errors: an Octokit HttpError (under err, as the entry points log, and under error), a failed URL parse whose
    // `input` is the whole DATABASE_URL, a driver error quoting the connection string.
    logger.error({ err: octokitStyleError() }, "GitHub call failed");
    logger.warn({ error: octokitStyleError(), deliveryId: "d-1" }, "could not ask GitHub to redeliver");
    let urlError: unknown;
    try {
      new URL(`${DATABASE_URL}/[`.replace("db.internal", "db internal"));
    } catch (error) {
      urlError = error;
    }
    logger.fatal({ err: urlError }, "Sentinel failed to start");
    logger.fatal({ err: new Error(`connect ECONNREFUSED ${DATABASE_URL}`) }, `could not connect to ${DATABASE_URL}`);
    // The whole parsed environment (a debugging habit), and channel settings as decrypted for sending.
    logger.debug({ env }, "configuration");
    logger.info(
      {
        channel: { kind: "pagerduty", config: { routingKey: SECRETS.pagerDutyRoutingKey } },
        slack: { webhookUrl: `https://hooks.slack.com/services/${SECRETS.slackWebhookPath}`, botToken: SECRETS.slackBotToken },
        email: { apiKey: SECRETS.resendApiKey },
        app: { appId: 12345, privateKey: PRIVATE_KEY, webhookSecret: SECRETS.webhookSecret },
      },
      "delivering alert",
    );
    // Free text and printf-style arguments: known values and recognisable shapes are scrubbed there too.
    logger.warn(`Slack refused token ${SECRETS.slackBotToken}; Resend refused ${SECRETS.resendApiKey}`);
    logger.warn("signature check used %s and key %s", SECRETS.webhookSecret, SECRETS.apiKey);
    logger.info({ note: `GitHub App key ${PRIVATE_KEY} refused`, pem: PRIVATE_KEY }, "notification failed");
    // Through a child logger, as every component logs.
    logger.child({ component: "alerts" }).warn({ err: octokitStyleError(), config: { routingKey: SECRETS.pagerDutyRoutingKey } }, "delivery failed");

    const output = text();
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(output.includes(value), `${name} leaked into the log:\n${output}`).toBe(false);
    }
    // Still useful: what failed, where, and that something was redacted.
    expect(output).toContain("Bad credentials");
    expect(output).toContain("db.internal:5432");
    expect(output).toContain("[redacted]");
    const errorLine = lines().find((line) => line.msg === "GitHub call failed")!;
    expect(errorLine.err).toMatchObject({ name: "HttpError", status: 401, request: { url: "https://api.github.com/app/installations/42/access_tokens" } });
    expect(String((errorLine.err as { stack: string }).stack)).toContain("Bad credentials");
  });

  it("leaves ordinary fields alone (ids, keys of locks, counts)", () => {
    const { logger, lines } = captureLogger();
    logger.info({ key: "metrics-repo-1-2024-01-01", jobId: "analyze-abc", deliveries: 3, tokens: undefined }, "re-queued unfinished work");
    expect(lines()[0]).toMatchObject({ key: "metrics-repo-1-2024-01-01", jobId: "analyze-abc", deliveries: 3, msg: "re-queued unfinished work" });
  });
});

describe("withLogContext", () => {
  it("adds its fields to every line written inside it, across awaits, and to no line outside", async () => {
    const { logger, lines } = captureLogger();
    const child = logger.child({ component: "jobs" });
    await Promise.all([
      withLogContext({ requestId: "r-1" }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        child.info("first");
      }),
      withLogContext({ requestId: "r-2" }, async () => {
        child.info({ requestId: "explicit" }, "second");
        await withLogContext({ jobId: "j-9" }, async () => child.info("nested"));
      }),
    ]);
    logger.info("outside");
    const byMessage = Object.fromEntries(lines().map((line) => [line.msg, line]));
    expect(byMessage.first).toMatchObject({ requestId: "r-1", component: "jobs" });
    expect(byMessage.second).toMatchObject({ requestId: "explicit" });
    expect(byMessage.nested).toMatchObject({ requestId: "r-2", jobId: "j-9" });
    expect(byMessage.outside).not.toHaveProperty("requestId");
  });
});

describe("isoTimestamp", () => {
  it("writes what pino's isoTime writes, to the millisecond, across seconds", () => {
    vi.useFakeTimers();
    try {
      for (const at of ["2026-12-02T06:59:59.998Z", "2026-12-02T06:59:59.999Z", "2026-12-02T07:00:00.000Z", "2026-12-02T07:00:00.007Z", "2026-12-02T07:00:00.042Z", "2025-01-01T00:00:00.500Z"]) {
        vi.setSystemTime(new Date(at));
        expect(isoTimestamp()).toBe(pino.stdTimeFunctions.isoTime());
      }
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("chooseLogFormat", () => {
  it("writes readable lines to a development terminal and JSON lines anywhere else", () => {
    expect(chooseLogFormat({ NODE_ENV: "development" }, true)).toBe("pretty");
    expect(chooseLogFormat({}, true)).toBe("pretty");
    // Piped into a file, a log shipper or `docker logs`: what reads it is a program.
    expect(chooseLogFormat({ NODE_ENV: "development" }, false)).toBe("json");
    // A production server watched from a terminal still writes what its log pipeline parses.
    expect(chooseLogFormat({ NODE_ENV: "production" }, true)).toBe("json");
  });

  it("does what LOG_FORMAT says, whatever the terminal and mode", () => {
    expect(chooseLogFormat({ NODE_ENV: "development", LOG_FORMAT: "json" }, true)).toBe("json");
    expect(chooseLogFormat({ NODE_ENV: "production", LOG_FORMAT: "pretty" }, false)).toBe("pretty");
    expect(chooseLogFormat({ NODE_ENV: "development", LOG_FORMAT: " JSON " }, true)).toBe("json");
  });

  it("ignores a LOG_FORMAT it does not know, as if it were unset", () => {
    expect(chooseLogFormat({ NODE_ENV: "development", LOG_FORMAT: "yaml" }, true)).toBe("pretty");
    expect(chooseLogFormat({ NODE_ENV: "development", LOG_FORMAT: "" }, false)).toBe("json");
  });
});
