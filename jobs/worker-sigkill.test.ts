import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeAttribution, codeEvents, commits, repositories } from "../infrastructure/db/schema/index.ts";
import { loadCorpusCommits } from "../tests/fixtures/corpus.ts";
import type { FakeGitHub } from "../tests/fakes/github.ts";
import type { GitHubApi } from "../infrastructure/github/github-api.ts";
import { startTestGitHub, testPrivateKey } from "../tests/fakes/github-client.ts";
import { installationPayload, pushPayload, signDelivery, webhookRequest } from "../tests/fixtures/webhooks.ts";
import { handleGitHubWebhook } from "../app/webhooks/github-webhook.server.ts";
import { processWebhookDelivery } from "../application/ingestion/process-delivery.ts";
import { sleep, waitFor } from "../tests/support/queue.ts";
import type { Services } from "../application/services.ts";
import { TEST_REDIS_URL } from "../tests/support/config.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import { startWorkers } from "./workers.ts";

/**
 * Catalogue row 13: a real worker process (`start-worker.ts`) is SIGKILLed while its analysis jobs wait on GitHub.
 * BullMQ's lock on those jobs expires (30 s), another worker finds them stalled and runs them again; the keyed
 * writes leave no duplicate row.
 */

const SECRET = "sigkill-secret";
const OWNER = { id: 55001, login: "kill-org" };
const REPO = { id: 55002, full_name: "kill-org/app", default_branch: "main" };

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let fake: FakeGitHub;
let api: GitHubApi;
let child: ChildProcess | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { queue: "bullmq", env: { GITHUB_WEBHOOK_SECRET: SECRET } }));
  ({ fake, api } = await startTestGitHub());
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await close?.();
  await fake?.close();
  await database?.drop();
});

describe("worker SIGKILLed mid-job (row 13)", () => {
  it("the job runs again elsewhere and no row is duplicated", async () => {
    const records = loadCorpusCommits().slice(400, 403);
    fake.addCommits(records);
    const install = signDelivery(SECRET, "installation", installationPayload("created", 5501, OWNER, [REPO]));
    expect((await handleGitHubWebhook(webhookRequest(install), services)).status).toBe(202);
    await processWebhookDelivery(database.db, install.deliveryId);
    const push = signDelivery(SECRET, "push", pushPayload({ installationId: 5501, owner: OWNER, repo: REPO, records }));
    expect((await handleGitHubWebhook(webhookRequest(push), services)).status).toBe(202);

    fake.latencyMs = 120_000; // every GitHub call hangs: the worker's analysis jobs stay active
    child = spawn(process.execPath, ["--import", "tsx", "server/start-worker.ts"], {
      env: {
        ...process.env,
        NODE_ENV: "test",
        LOG_LEVEL: "warn",
        DATABASE_URL: database.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: services.env.REDIS_PREFIX,
        GITHUB_APP_ID: "12345",
        GITHUB_APP_PRIVATE_KEY: testPrivateKey(),
        GITHUB_API_URL: fake.url,
        GITHUB_BACKFILL_DAYS: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, "exit");
    await waitFor(async () => fake.requests.some((request) => request.path.includes("/access_tokens") || request.path.includes("/commits/")), {
      timeoutMs: 30_000,
      what: "the worker process calling GitHub",
    }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; worker stderr: ${stderr.slice(0, 6000)}`);
    });
    child.kill("SIGKILL");
    await exited;

    fake.latencyMs = 0;
    await sleep(31_000); // BullMQ's default lock duration: until then the killed worker's jobs look alive
    await startWorkers(services, { github: api });
    const [repo] = await database.db.select({ id: repositories.id }).from(repositories).where(eq(repositories.githubId, REPO.id));
    await waitFor(
      async () => {
        const [row] = await database.db
          .select({ n: sql<number>`count(*)::int` })
          .from(commits)
          .where(sql`${commits.repoId} = ${repo!.id} and ${commits.analysisStatus} = 'analyzed'`);
        return row!.n === records.length;
      },
      { timeoutMs: 45_000, what: "the stalled analyses re-run" },
    );
    const [attribution] = await database.db
      .select({ rows: sql<number>`count(*)::int`, distinct: sql<number>`count(distinct (${codeAttribution.commitSha}, ${codeAttribution.filePath}))::int` })
      .from(codeAttribution)
      .where(eq(codeAttribution.repoId, repo!.id));
    expect(attribution!.rows).toBeGreaterThan(0);
    expect(attribution!.rows).toBe(attribution!.distinct);
    const [events] = await database.db.select({ n: sql<number>`count(*)::int` }).from(codeEvents).where(eq(codeEvents.repoId, repo!.id));
    expect(events!.n).toBe(records.length);
  }, 120_000);
});
