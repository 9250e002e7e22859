import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseSearchParams, requireRepository } from "~/api/guard.server.ts";
import { getRepositoryUnreviewedAiMerges, unreviewedAiMergesResponseSchema } from "~/presenters/unreviewed-ai-merges.server.ts";
import { rangeDaysQuery } from "~/utils/range-days.ts";

/**
 * GET /api/v1/repos/{id}/unreviewed-ai-merges?days=7|30|90|365 — pull requests merged over the last `days` (90 by
 * default) without a review although their commits hold AI-written T3/T4 changes, among all merged and all AI T3/T4
 * merged pull requests. Another organisation's repository: 404.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { orgId, repository } = await requireRepository(request, context, params.repoId);
  const { days } = parseSearchParams(rangeDaysQuery, request);
  const merges = await getRepositoryUnreviewedAiMerges(context.services.db, orgId, repository, { now: context.services.clock.now(), days });
  return Response.json(unreviewedAiMergesResponseSchema.parse(merges));
}
