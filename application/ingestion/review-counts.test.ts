import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planWebhookIngestion } from "../../domain/ingestion/webhook-plan.ts";
import { pullRequests, repositories } from "../../infrastructure/db/schema/index.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { installationPayload, pullRequestPayload, pullRequestReviewPayload } from "../../tests/fixtures/webhooks.ts";
import { applyWebhookPlan } from "./apply-webhook-plan.ts";

/** The pull request's review counts (issue 18, the pull-request lens) follow its review deliveries, once each. */

const OWNER = { id: 89001, login: "review-org" };
const REPO = { id: 89002, full_name: "review-org/app", default_branch: "main" };
const INSTALLATION = 8901;
const ALICE = { id: 89011, login: "alice" };
const BOB = { id: 89012, login: "bob" };
/** The fixtures' pull request author. */
const AUTHOR = { id: 583231, login: "octocat" };

let database: TestDatabase;
let repoId: string;

async function apply(event: string, payload: unknown, deliveryId: string = randomUUID()) {
  return applyWebhookPlan(database.db, planWebhookIngestion(event, payload, deliveryId), deliveryId);
}

function review(number: number, reviewId: number, reviewer: { id: number; login: string }, state: "approved" | "commented" | "changes_requested", body: string | null, action = "submitted") {
  const payload = pullRequestReviewPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, number, headRef: `feature/${number}`, headSha: "d".repeat(40), reviewId, reviewer, state, submittedAt: "2026-03-01T11:00:00Z" });
  return { ...payload, action, review: { ...payload.review, body, state: action === "dismissed" ? "dismissed" : state } };
}

async function countsOf(number: number) {
  const [row] = await database.db
    .select({ reviews: pullRequests.reviewCount, approvals: pullRequests.approvalCount, commented: pullRequests.commentedReviewCount })
    .from(pullRequests)
    .where(and(eq(pullRequests.repoId, repoId), eq(pullRequests.number, number)));
  return row;
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

describe("pull request review counts", () => {
  it("counts reviews, approvals and reviews with a body, and a redelivered review (same delivery or a new one) counts once", async () => {
    await apply("pull_request", pullRequestPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, number: 1, headRef: "feature/1", headSha: "d".repeat(40), action: "opened" }));
    const approvedSilently = review(1, 501, ALICE, "approved", null);
    const deliveryId = randomUUID();
    await apply("pull_request_review", approvedSilently, deliveryId);
    await apply("pull_request_review", approvedSilently, deliveryId);
    await apply("pull_request_review", approvedSilently);
    expect(await countsOf(1)).toEqual({ reviews: 1, approvals: 1, commented: 0 });

    await apply("pull_request_review", review(1, 502, BOB, "changes_requested", "Please add a test."));
    await apply("pull_request_review", review(1, 503, BOB, "approved", "   "));
    await apply("pull_request_review", review(1, 502, BOB, "changes_requested", "Please add a test."));
    expect(await countsOf(1)).toEqual({ reviews: 3, approvals: 2, commented: 1 });
  });

  it("a review arriving before its pull request's own delivery creates the row with its counts", async () => {
    await apply("pull_request_review", review(2, 601, ALICE, "commented", "Question inline."));
    expect(await countsOf(2)).toEqual({ reviews: 1, approvals: 0, commented: 1 });
  });

  it("the author's own comment is no review", async () => {
    await apply("pull_request_review", review(3, 701, AUTHOR, "commented", "Replying to the thread."));
    expect(await countsOf(3)).toEqual({ reviews: 0, approvals: 0, commented: 0 });
  });

  it("a dismissed approval stops counting as one, in either order of arrival, and its redelivery changes nothing", async () => {
    await apply("pull_request_review", review(4, 801, ALICE, "approved", "LGTM"));
    await apply("pull_request_review", review(4, 801, ALICE, "approved", "LGTM", "dismissed"));
    await apply("pull_request_review", review(4, 801, ALICE, "approved", "LGTM", "dismissed"));
    expect(await countsOf(4)).toEqual({ reviews: 1, approvals: 0, commented: 1 });

    await apply("pull_request_review", review(5, 901, BOB, "approved", null, "dismissed"));
    await apply("pull_request_review", review(5, 901, BOB, "approved", null));
    await apply("pull_request_review", review(5, 901, BOB, "approved", null));
    expect(await countsOf(5)).toEqual({ reviews: 1, approvals: 0, commented: 0 });
  });
});
