import { z } from "zod";
import {
  getPullRequestDetail,
  listPullRequests,
  PULL_REQUEST_KINDS,
  type PullRequestGroupSummary,
  type PullRequestRow,
} from "../../application/pull-requests/list-pull-requests.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { rangeDaysQuery, rangeEndingAt, rangeResponse, rangeResponseFields } from "../utils/range-days.ts";
import { pageLimit, repoFilter } from "./list-query.ts";

/**
 * The pull-request lens (issue 18, item 3; ADR 075): GET /api/v1/pulls, /pulls, GET /api/v1/repos/{id}/pulls/{number}
 * and /repos/:repoId/pulls/:number read through here, so the page and the API show the same figures.
 */

/** The list's query string; a bad value is a 400 (API) naming the field. */
export const pullRequestListQuery = rangeDaysQuery.extend({
  repo: repoFilter.describe("Only this repository's pull requests"),
  kind: z
    .enum(PULL_REQUEST_KINDS, { message: "kind is all, ai or human" })
    .default("all")
    .describe("all (the default), ai (AI-assisted: an agent marker on the pull request, or at least one AI-written line) or human"),
  page: z.coerce.number({ message: "page is a whole number from 1" }).int("page is a whole number from 1").min(1, "page is a whole number from 1").default(1).describe("1-based page"),
  limit: pageLimit(50).describe("Pull requests per page, 1 to 200 (default 50)"),
});
export type PullRequestListQuery = z.infer<typeof pullRequestListQuery>;

/** `/repos/:repoId/pulls/:number`'s number: a positive whole number, or the page answers 404. */
export const pullRequestNumber = z.coerce.number().int().min(1).max(2_147_483_647);

const count = (description: string) => z.number().int().min(0).describe(description);
const minutesOrNull = (description: string) => z.number().int().min(0).nullable().describe(description);
const FRACTION = "fraction 0–1 (0.12 means 12 %)";

export const pullRequestSchema = z.strictObject({
  repoId: z.uuid().describe("Repository id"),
  repoFullName: z.string().describe("owner/name"),
  number: z.number().int().min(1).describe("Pull request number"),
  title: z.string().describe("Its title; empty when never stored"),
  author: z.string().nullable().describe("GitHub login of its author; null when unknown"),
  state: z.enum(["open", "closed", "merged"]).describe("open, closed (unmerged) or merged"),
  openedAt: z.iso.datetime().describe("When it was opened, ISO 8601 in UTC"),
  mergedAt: z.iso.datetime().nullable().describe("When it merged, ISO 8601 in UTC; null when not merged"),
  aiAssisted: z.boolean().describe("An agent marker on its branch or body, or at least one AI-written line in its commits (confidence ≥ 0.5)"),
  writtenLines: count("Written lines of its commits (counted files only: what every AI share is a share of)"),
  aiLines: count("Of them, lines in files whose AI confidence is ≥ 0.5"),
  aiShare: z.number().min(0).max(1).nullable().describe(`aiLines ÷ writtenLines as a ${FRACTION}, like every share of the API; null when its commits wrote no counted line or are not analysed yet`),
  agents: z.array(z.string()).describe("AI tools named by its AI commits' markers; unmarked when judged by style alone, unknown when scored before tools were recorded"),
  highestAiRiskTier: z.number().int().min(1).max(4).nullable().describe("Highest risk tier (1–4) of a file its commits changed with AI-written code; null when none"),
  reviews: z.strictObject({
    count: count("Reviews submitted by someone other than the author"),
    approvals: count("Of them, approvals (a dismissed approval is not counted)"),
    commented: count("Of them, reviews with a written body"),
    approvedWithoutComment: z.boolean().describe("Approved (approvals > 0) with no review saying anything (commented = 0)"),
    firstReviewAt: z.iso.datetime().nullable().describe("First review by someone other than the author, ISO 8601 in UTC; null when none"),
  }),
  timeToFirstReviewMinutes: minutesOrNull("Minutes from ready for review (or opened) to the first review; null when not reviewed"),
  cycleTimeMinutes: minutesOrNull("Minutes from opened to merged; null when not merged"),
  url: z.url().describe("The pull request on GitHub"),
});
export type PullRequestView = z.infer<typeof pullRequestSchema>;

const groupSchema = z.strictObject({
  pullRequests: count("Pull requests of this group opened in the range"),
  merged: count("Of them, merged"),
  cycleTimeMedianMinutes: minutesOrNull("Median minutes opened → merged over the merged ones; null when none merged"),
  cycleTimeP75Minutes: minutesOrNull("75th percentile of the same"),
  reviewed: count("Pull requests with a first review (the sample of the review times)"),
  timeToFirstReviewMedianMinutes: minutesOrNull("Median minutes ready for review → first review, over the reviewed ones"),
  timeToFirstReviewP75Minutes: minutesOrNull("75th percentile of the same"),
  mergedWithoutReview: count("Merged with no review by someone other than the author"),
  mergedWithoutReviewShare: z.number().min(0).max(1).nullable().describe(`mergedWithoutReview ÷ merged, a ${FRACTION}; null when none merged`),
});

export const pullRequestSummarySchema = z
  .strictObject({
    ai: groupSchema.describe("AI-assisted pull requests"),
    human: groupSchema.describe("The other pull requests"),
    percentiles: z
      .enum(["exact", "approximate"])
      .describe(
        "How the medians and 75th percentiles were taken: exactly, or, when the range holds more than 5,000 pull requests, from histograms with buckets 10 % wide (within 10 % of the exact figure). Counts are exact either way",
      ),
  })
  .describe("AI-assisted vs human pull requests opened in the range (and repository), whatever the kind filter; each figure with the count it is over");

/** The answer of GET /api/v1/pulls. */
export const pullRequestListResponse = z.strictObject({
  data: z.array(pullRequestSchema).describe("The page's pull requests, newest opened first"),
  ...rangeResponseFields,
  total: count("Pull requests of the filter in the range"),
  page: z.number().int().min(1).describe("This page, 1-based"),
  pageCount: count("Pages of the filter at this limit"),
  summary: pullRequestSummarySchema,
});
export type PullRequestListResponse = z.infer<typeof pullRequestListResponse>;

const commitSchema = z.strictObject({
  sha: z.string().describe("Commit sha"),
  eventId: z.number().int().nullable().describe("Its commit event (GET /api/v1/events/{id}); null when it came without one"),
  author: z.string().nullable().describe("GitHub login of its author; null when unknown"),
  authoredAt: z.iso.datetime().describe("Author date, ISO 8601 in UTC"),
  message: z.string().describe("First line of its message"),
  aiConfidence: z.number().min(0).max(1).nullable().describe(`Commit-level AI confidence, a ${FRACTION}; null before analysis`),
  analysisStatus: z.string().describe("pending, analyzed, skipped or failed"),
  writtenLines: count("Its written lines"),
  agent: z.string().nullable().describe("The AI tool its markers name when it is AI-attributed (confidence ≥ 0.5); null otherwise"),
});

const aiFileSchema = z.strictObject({
  path: z.string().describe("File path"),
  riskTier: z.number().int().min(1).max(4).describe("Highest risk tier the file had in these commits"),
  aiLines: count("Counted lines written by AI in it over the pull request's commits"),
  commits: count("Commits of the pull request that changed it with AI-written code"),
});

/** The answer of GET /api/v1/repos/{id}/pulls/{number}. */
export const pullRequestDetailResponse = z.strictObject({
  data: pullRequestSchema.extend({
    commits: z.array(commitSchema).describe("Its commits, oldest first"),
    aiFiles: z.array(aiFileSchema).describe("Files its commits changed with AI-written code (confidence ≥ 0.5), riskiest first"),
  }),
});
export type PullRequestDetailView = z.infer<typeof pullRequestDetailResponse>["data"];

function toView(row: PullRequestRow): PullRequestView {
  return {
    repoId: row.repoId,
    repoFullName: row.repoFullName,
    number: row.number,
    title: row.title,
    author: row.authorLogin,
    state: row.state as PullRequestView["state"],
    openedAt: row.openedAt.toISOString(),
    mergedAt: row.mergedAt?.toISOString() ?? null,
    aiAssisted: row.aiAssisted,
    writtenLines: row.writtenLines,
    aiLines: row.aiLines,
    // A fraction 0–1 to four decimals, as every share the API answers (docs/api.md, "Response schemas").
    aiShare: row.aiShare === null ? null : Math.round(row.aiShare * 10_000) / 10_000,
    agents: row.agents,
    highestAiRiskTier: row.highestAiRiskTier,
    reviews: {
      count: row.reviews.count,
      approvals: row.reviews.approvals,
      commented: row.reviews.commented,
      approvedWithoutComment: row.reviews.approvedWithoutComment,
      firstReviewAt: row.reviews.firstReviewAt?.toISOString() ?? null,
    },
    timeToFirstReviewMinutes: row.timeToFirstReviewMinutes,
    cycleTimeMinutes: row.cycleTimeMinutes,
    url: `https://github.com/${row.repoFullName}/pull/${row.number}`,
  };
}

export type PullRequestGroupView = PullRequestGroupSummary;

/** The organisation's pull requests opened over the `days` before `now`: a page, the count and the comparison. */
export async function getPullRequestList(db: Executor, orgId: string, query: PullRequestListQuery, now: Date): Promise<PullRequestListResponse> {
  const range = rangeEndingAt(now, query.days);
  const found = await listPullRequests(db, { orgId, ...range, repoId: query.repo, kind: query.kind, page: query.page, limit: query.limit });
  return {
    data: found.pullRequests.map(toView),
    ...rangeResponse(range, query.days),
    total: found.total,
    page: query.page,
    pageCount: Math.ceil(found.total / query.limit),
    summary: found.summary,
  };
}

/** One pull request of a repository of the organisation, or null (unknown number, another organisation's repository). */
export async function getPullRequestPage(db: Executor, orgId: string, repoId: string, number: number): Promise<PullRequestDetailView | null> {
  if (!z.uuid().safeParse(repoId).success) return null;
  const found = await getPullRequestDetail(db, { orgId, repoId, number });
  if (!found) return null;
  return {
    ...toView(found),
    commits: found.commits.map((commit) => ({
      sha: commit.sha,
      eventId: commit.eventId,
      author: commit.authorLogin,
      authoredAt: commit.authoredAt.toISOString(),
      message: commit.messageHeadline,
      aiConfidence: commit.aiConfidence,
      analysisStatus: commit.analysisStatus,
      writtenLines: commit.writtenLines,
      agent: commit.agent,
    })),
    aiFiles: found.aiFiles,
  };
}
