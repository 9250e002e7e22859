import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { E2E_NOW } from "./e2e/clock.ts";

// A fresh embedded database per run, exactly like a newcomer's first `npm start`. The path is kept in the
// environment so the config, loaded again in each worker, agrees with itself.
process.env.SENTINEL_E2E_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "sentinel-e2e-"));
const PORT = Number(process.env.SENTINEL_E2E_PORT ?? 3210);
// Local stand-ins for Slack, Resend and PagerDuty (tests/fakes/channels.ts), started by the specs that
// send notifications; the server is pointed at them from the start.
process.env.SENTINEL_E2E_FAKES_PORT ??= String(PORT + 1);
const FAKES = `http://127.0.0.1:${process.env.SENTINEL_E2E_FAKES_PORT}`;

export default defineConfig({
  testDir: "./e2e",
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // Debian's Chromium (`apt-get install chromium`): Playwright cannot download its own browser here.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    // What `npm start` runs after building (the build is done by `npm run test:e2e`). Started with node, not npx,
    // so Playwright signals the server itself.
    command: "node node_modules/.bin/tsx server/start-all.ts",
    url: `http://127.0.0.1:${PORT}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      PORT: String(PORT),
      HOST: "127.0.0.1",
      SENTINEL_DATA_DIR: process.env.SENTINEL_E2E_DATA_DIR,
      DATABASE_URL: "",
      REDIS_URL: "",
      LOG_LEVEL: "warn",
      NODE_ENV: "development",
      // The demo and every page's "last N days" as of one fixed instant, so what the specs see does not change with
      // the date they run on.
      SENTINEL_FIXED_NOW: E2E_NOW,
      SLACK_API_URL: `${FAKES}/slack/api/`,
      SLACK_BOT_TOKEN: "xoxb-e2e",
      RESEND_BASE_URL: `${FAKES}/resend`,
      RESEND_API_KEY: "re_e2e",
      ALERT_EMAIL_FROM: "Sentinel <alerts@sentinel.example>",
      PAGERDUTY_EVENTS_URL: `${FAKES}/pagerduty/v2/enqueue`,
      // The Setup page registers a GitHub App only with a key to seal its private key (e2e/setup.spec.ts).
      SENTINEL_SECRET_KEY: "e2e-secret-key-0123456789abcdef-0123456789",
      // Every spec signs in again and some poll the API, all from one address; the budgets themselves are tested in
      // server/rate-limits.test.ts.
      RATE_LIMIT_SIGN_IN_PER_MINUTE: "1000",
      RATE_LIMIT_API_PER_MINUTE: "100000",
    },
  },
});
