import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: { "~": fileURLToPath(new URL("./app", import.meta.url)) },
  },
  test: {
    include: ["{app,application,cli,demo,domain,infrastructure,jobs,server,tests}/**/*.test.{ts,tsx}"],
    globalSetup: ["./tests/global-setup.ts"],
    setupFiles: ["./tests/fail-on-console-error.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Integration tests each get their own database and Redis prefix, so files can run in parallel.
    pool: "forks",
  },
});
