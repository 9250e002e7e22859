import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planWebhookIngestion } from "../../domain/ingestion/webhook-plan.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { commits, deployments, repositories } from "../../infrastructure/db/schema/index.ts";
import { loadCorpusCommits } from "../../tests/fixtures/corpus.ts";
import { deploymentPayload, deploymentStatusPayload, installationPayload, pullRequestPayload, pushPayload } from "../../tests/fixtures/webhooks.ts";
import { analyzeStoredCommit } from "../analysis/analyze-stored-commit.ts";
import { applyWebhookPlan } from "./apply-webhook-plan.ts";

/**
 * Deliveries arrive out of order when one fails and GitHub redelivers it later (the chaos run's web restart): the
 * state they leave must not depend on the order. Found by `npm run chaos`, whose chaos run differed from the clean
 * run in exactly these two ways.
 */

const OWNER = { id: 88001, login: "order-org" };
const REPO = { id: 88002, full_name: "order-org/app", default_branch: "main" };
const INSTALLATION = 8801;

let database: TestDatabase;
let repoId: string;

async function apply(event: string, payload: unknown) {
  const deliveryId = randomUUID();
  return applyWebhookPlan(database.db, planWebhookIngestion(event, payload, deliveryId), deliveryId);
}

beforeAll(async () => {
  database = await createTestDatabase();
  await apply("installation", installationPayload("created", INSTALLATION, OWNER, [REPO]));
  const [row] = await database.db.select({ id: repositories.id }).from(repositories).where(eq(repositories.githubId, REPO.id));
  repoId = row!.id;
});

afterAll(async () => {
  await database?.drop();
});

describe("out-of-order deliveries", () => {
  it("a branch push delivered after its pull request was merged still joins that pull request (its agent markers reach the analysis)", async () => {
    const records = loadCorpusCommits().slice(700, 702);
    for (const record of records) expect(Date.parse(record.commit.author.date)).toBeLessThan(Date.parse("2026-03-01T11:00:00Z"));
    const head = records.at(-1)!.sha;
    const pr = { installationId: INSTALLATION, owner: OWNER, repo: REPO, number: 41, headRef: "feature/late-push", headSha: head, body: "🤖 Generated with [Claude Code](https://claude.com/claude-code)" };
    await apply("pull_request", pullRequestPayload({ ...pr, action: "opened", createdAt: "2026-03-01T10:00:00Z", updatedAt: "2026-03-01T10:00:00Z" }));
    await apply("pull_request", pullRequestPayload({ ...pr, action: "closed", merged: true, createdAt: "2026-03-01T10:00:00Z", updatedAt: "2026-03-01T11:00:00Z" }));
    // The push that GitHub sent first failed, and arrives now as a redelivery.
    const outcome = await apply("push", pushPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, records, branch: "feature/late-push" }));
    expect(outcome).toMatchObject({ status: "processed" });

    const rows = await database.db
      .select({ sha: commits.sha, prNumber: commits.prNumber })
      .from(commits)
      .where(and(eq(commits.repoId, repoId), eq(commits.branch, "feature/late-push")));
    expect(rows).toHaveLength(2);
    expect(rows.map((row) => row.prNumber)).toEqual([41, 41]);
  });

  it("a branch push links to the open pull request of its branch, not to an older merged one of the same name", async () => {
    const base = { installationId: INSTALLATION, owner: OWNER, repo: REPO, headRef: "feature/reused", headSha: "c".repeat(40) };
    await apply("pull_request", pullRequestPayload({ ...base, number: 50, action: "closed", merged: true, createdAt: "2026-02-01T10:00:00Z", updatedAt: "2026-02-01T11:00:00Z" }));
    await apply("pull_request", pullRequestPayload({ ...base, number: 51, action: "opened", createdAt: "2026-03-02T10:00:00Z", updatedAt: "2026-03-02T10:00:00Z" }));
    const records = loadCorpusCommits().slice(705, 706);
    await apply("push", pushPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, records, branch: "feature/reused" }));
    const [row] = await database.db.select({ prNumber: commits.prNumber }).from(commits).where(and(eq(commits.repoId, repoId), eq(commits.sha, records[0]!.sha)));
    expect(row!.prNumber).toBe(51);
  });

  it("a push to a branch whose only PR was closed before the commit was written stays unlinked (a later PR will take it)", async () => {
    const base = { installationId: INSTALLATION, owner: OWNER, repo: REPO, number: 60, headRef: "feature/abandoned", headSha: "f".repeat(40) };
    await apply("pull_request", pullRequestPayload({ ...base, action: "closed", merged: false, createdAt: "2020-01-01T10:00:00Z", updatedAt: "2020-01-01T11:00:00Z" }));
    const records = loadCorpusCommits().slice(706, 707);
    expect(Date.parse(records[0]!.commit.author.date)).toBeGreaterThan(Date.parse("2020-01-01T11:00:00Z"));
    await apply("push", pushPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, records, branch: "feature/abandoned" }));
    const [row] = await database.db.select({ prNumber: commits.prNumber }).from(commits).where(and(eq(commits.repoId, repoId), eq(commits.sha, records[0]!.sha)));
    expect(row!.prNumber).toBeNull();
  });

  it("a branch push and its pull request processed at the same moment still link (neither transaction sees the other's rows)", async () => {
    const records = loadCorpusCommits().slice(720, 760);
    const pairs = records.map((record, index) => {
      const branch = `feature/concurrent-${index}`;
      return Promise.all([
        apply("push", pushPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, records: [record], branch })),
        apply("pull_request", pullRequestPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, number: 1000 + index, headRef: branch, headSha: record.sha, action: "opened" })),
      ]);
    });
    await Promise.all(pairs);
    const rows = await database.db
      .select({ sha: commits.sha, prNumber: commits.prNumber })
      .from(commits)
      .where(and(eq(commits.repoId, repoId), inArray(commits.sha, records.map((record) => record.sha))));
    expect(rows).toHaveLength(records.length);
    expect(rows.filter((row) => row.prNumber === null)).toEqual([]);
  });

  it("the re-score a PR's agent markers call for is asked again when its delivery is processed again (the first ask was lost with a crash)", async () => {
    const [record] = loadCorpusCommits().slice(800, 801);
    const branch = "feature/rescore-after-crash";
    await apply("push", pushPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, records: [record!], branch }));
    // Analysed before the PR was known: no PR context in its verdict.
    await analyzeStoredCommit(database.db, async () => ({ getCommit: async () => record }), { repoId, sha: record!.sha });
    const payload = pullRequestPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, number: 70, headRef: branch, headSha: record!.sha, action: "opened", body: "🤖 Generated with [Claude Code](https://claude.com/claude-code)" });
    const deliveryId = randomUUID();
    const first = await applyWebhookPlan(database.db, planWebhookIngestion("pull_request", payload, deliveryId), deliveryId);
    expect(first).toMatchObject({ commitsToAnalyze: [{ sha: record!.sha, trigger: "rescore" }] });
    // The worker died after the transaction committed, before it queued the re-score: the job runs again.
    const again = await applyWebhookPlan(database.db, planWebhookIngestion("pull_request", payload, deliveryId), deliveryId);
    expect(again).toMatchObject({ commitsToAnalyze: [{ sha: record!.sha, trigger: "rescore" }] });

    // Once re-scored with the PR's markers, nothing is asked again.
    await analyzeStoredCommit(database.db, async () => ({ getCommit: async () => record }), { repoId, sha: record!.sha });
    const later = await applyWebhookPlan(database.db, planWebhookIngestion("pull_request", payload, deliveryId), deliveryId);
    expect(later).toMatchObject({ commitsToAnalyze: [] });
  });

  it("a deployment's in_progress status delivered after its success does not undo the success", async () => {
    const deployment = { installationId: INSTALLATION, owner: OWNER, repo: REPO, deploymentId: 880_001, sha: "d".repeat(40), createdAt: "2026-03-01T12:00:00Z" };
    await apply("deployment", deploymentPayload(deployment));
    await apply("deployment_status", deploymentStatusPayload({ ...deployment, statusId: 1, state: "success", at: "2026-03-01T12:05:00Z" }));
    await apply("deployment_status", deploymentStatusPayload({ ...deployment, statusId: 2, state: "in_progress", at: "2026-03-01T12:01:00Z" }));
    const read = async () =>
      (await database.db.select({ status: deployments.status, finishedAt: deployments.finishedAt }).from(deployments).where(eq(deployments.githubId, deployment.deploymentId)))[0]!;
    expect(await read()).toEqual({ status: "success", finishedAt: new Date("2026-03-01T12:05:00Z") });

    // A later final state still wins (GitHub marks a superseded deployment inactive), an earlier one does not.
    await apply("deployment_status", deploymentStatusPayload({ ...deployment, statusId: 4, state: "inactive", at: "2026-03-02T09:00:00Z" }));
    await apply("deployment_status", deploymentStatusPayload({ ...deployment, statusId: 3, state: "failure", at: "2026-03-01T12:03:00Z" }));
    expect(await read()).toEqual({ status: "inactive", finishedAt: new Date("2026-03-02T09:00:00Z") });
  });

  it("statuses in order still move a deployment along", async () => {
    const deployment = { installationId: INSTALLATION, owner: OWNER, repo: REPO, deploymentId: 880_002, sha: "e".repeat(40), createdAt: "2026-03-01T12:00:00Z" };
    await apply("deployment", deploymentPayload(deployment));
    const status = async () => (await database.db.select({ status: deployments.status }).from(deployments).where(eq(deployments.githubId, deployment.deploymentId)))[0]!.status;
    expect(await status()).toBe("pending");
    await apply("deployment_status", deploymentStatusPayload({ ...deployment, statusId: 1, state: "in_progress", at: "2026-03-01T12:01:00Z" }));
    expect(await status()).toBe("in_progress");
    await apply("deployment_status", deploymentStatusPayload({ ...deployment, statusId: 2, state: "failure", at: "2026-03-01T12:04:00Z" }));
    expect(await status()).toBe("failure");
  });
});
