import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRecordingWorkers } from "../../tests/support/recording-workers.ts";
import { PROCESS_DELIVERY_JOB, deliveryJobId } from "../../jobs/webhooks.ts";
import { databaseUrl } from "../../tests/support/config.ts";
import { createTestDatabase, waitForLockWaiter, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { codeEvents, commits, webhookDeliveries } from "../../infrastructure/db/schema/index.ts";
import { loadCorpusCommits } from "../../tests/fixtures/corpus.ts";
import { installationPayload, pushPayload, signDelivery, webhookRequest } from "../../tests/fixtures/webhooks.ts";
import { waitFor } from "../../tests/support/queue.ts";
import type { Services } from "../services.ts";
import { handleGitHubWebhook } from "../../app/webhooks/github-webhook.server.ts";
import { processWebhookDelivery } from "./process-delivery.ts";

/**
 * Catalogue row 17: the worker's PostgreSQL connection is killed in the middle of a delivery's transaction (after the
 * events are written, while the commits insert waits on a lock). The transaction rolls back, the job retries, and
 * the delivery ends up applied exactly once.
 */

const SECRET = "pg-reset-secret";
const OWNER = { id: 66001, login: "reset-org" };
const REPO = { id: 66002, full_name: "reset-org/core", default_branch: "main" };

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { queue: "in-process", env: { GITHUB_WEBHOOK_SECRET: SECRET } }));
  const install = signDelivery(SECRET, "installation", installationPayload("created", 6601, OWNER, [REPO]));
  await handleGitHubWebhook(webhookRequest(install), services);
  await processWebhookDelivery(database.db, install.deliveryId);
});

afterAll(async () => {
  await close?.();
  await database?.drop();
});

describe("PostgreSQL connection reset mid-transaction (row 17)", () => {
  it("rolls back, retries and loses nothing", async () => {
    const records = loadCorpusCommits(5);
    const push = signDelivery(SECRET, "push", pushPayload({ installationId: 6601, owner: OWNER, repo: REPO, records }));
    // Record the delivery without its job, so the test decides when the worker starts on it.
    const admin = postgres(databaseUrl(database.name), { max: 2, onnotice: () => {} });
    const reserved = await admin.reserve();
    try {
      await reserved`begin`;
      await reserved`lock table commits in access exclusive mode`;
      const { runs } = await startRecordingWorkers(services, null, { queues: ["webhooks"] });
      expect((await handleGitHubWebhook(webhookRequest(push), services)).status).toBe(202);

      // The worker's transaction has written the events and now waits for the lock on commits: kill its connection.
      const blocked = await waitForLockWaiter(admin, database.name, { what: "the worker blocked inside its transaction" });
      await admin`select pg_terminate_backend(${blocked})`;
      await reserved`rollback`;

      await waitFor(async () => runs.some((run) => run.id === deliveryJobId(push.deliveryId) && run.outcome === "processed"), {
        timeoutMs: 15_000,
        what: "the retried job",
      });
      const attempts = runs.filter((run) => run.name === PROCESS_DELIVERY_JOB && run.id === deliveryJobId(push.deliveryId));
      expect(attempts.map((run) => run.attemptsMade)).toEqual([0, 1]);
      expect(attempts[0]!.error).toBeDefined();
    } finally {
      reserved.release();
      await admin.end();
    }
    const [delivery] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, push.deliveryId));
    expect(delivery!.status).toBe("processed");
    const [events] = await database.db.select({ n: sql<number>`count(*)::int` }).from(codeEvents).where(eq(codeEvents.deliveryId, push.deliveryId));
    expect(events!.n).toBe(records.length);
    const stored = await database.db.select({ sha: commits.sha }).from(commits).where(eq(commits.orgId, await orgOf()));
    expect(stored.map((row) => row.sha).sort()).toEqual(records.map((record) => record.sha).sort());
  });
});

async function orgOf(): Promise<string> {
  const rows = await database.db.execute<{ org_id: string }>(sql`select org_id from repositories where github_id = ${REPO.id}`);
  return rows[0]!.org_id;
}
