import { z } from "zod";
import { getUnreviewedAiMerges, UNREVIEWED_AI_MERGES_LIMIT } from "../../application/metrics/unreviewed-ai-merges.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { rangeEndingAt, rangeResponse, rangeResponseFields, repositoryRef, repositoryRefSchema } from "../utils/range-days.ts";

const count = (description: string) => z.number().int().min(0).describe(description);

const unreviewedMergeSchema = z.strictObject({
  number: z.number().int().min(1).describe("Pull request number"),
  title: z.string().describe("Its title; empty when never stored"),
  mergedAt: z.iso.datetime().describe("When it merged, ISO 8601 in UTC"),
  aiHighRiskFiles: count("T3/T4 files its commits changed with AI-written code (confidence ≥ 0.5)"),
});

/** The answer of GET /api/v1/repos/{id}/unreviewed-ai-merges (docs/product.md, "AI-written T3/T4 changes merged without a review"). */
export const unreviewedAiMergesResponseSchema = z.strictObject({
  repository: repositoryRefSchema,
  ...rangeResponseFields,
  merged: count("Pull requests merged in the range"),
  aiHighRiskMerged: count("Of them, those whose commits changed a T3/T4 file with AI-written code"),
  unreviewed: count("Of those, the ones merged without a review by someone other than the author"),
  pullRequests: z
    .array(unreviewedMergeSchema)
    .max(UNREVIEWED_AI_MERGES_LIMIT)
    .describe(`The unreviewed ones, newest merge first, at most ${UNREVIEWED_AI_MERGES_LIMIT}`),
});
export type UnreviewedAiMergesResponse = z.infer<typeof unreviewedAiMergesResponseSchema>;

/** The figures without the repository's name: what the repository page's card shows. */
export type UnreviewedAiMergesSummary = Omit<UnreviewedAiMergesResponse, "repository">;

/** One repository of the organisation over the `days` before `now`. Another organisation's repository finds nothing. */
export async function getUnreviewedAiMergesSummary(db: Executor, orgId: string, repoId: string, options: { now: Date; days: number }): Promise<UnreviewedAiMergesSummary> {
  const range = rangeEndingAt(options.now, options.days);
  const found = await getUnreviewedAiMerges(db, { orgId, repoId }, range);
  return {
    ...rangeResponse(range, options.days),
    merged: found.merged,
    aiHighRiskMerged: found.aiHighRiskMerged,
    unreviewed: found.unreviewed,
    pullRequests: found.pullRequests.map((pr) => ({ ...pr, mergedAt: pr.mergedAt.toISOString() })),
  };
}

/** GET /api/v1/repos/{id}/unreviewed-ai-merges: a repository already found in the organisation (`findRepository`; otherwise a 404). */
export async function getRepositoryUnreviewedAiMerges(db: Executor, orgId: string, repository: { id: string; fullName: string }, options: { now: Date; days: number }): Promise<UnreviewedAiMergesResponse> {
  const summary = await getUnreviewedAiMergesSummary(db, orgId, repository.id, options);
  return { repository: repositoryRef(repository), ...summary };
}
