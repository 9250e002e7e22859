import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireRepository } from "~/api/guard.server.ts";
import { getPullRequestPage, pullRequestDetailResponse, pullRequestNumber } from "~/presenters/pulls.server.ts";

/**
 * GET /api/v1/repos/{id}/pulls/{number} — one pull request with its commits and the files its AI-written code touched.
 * Another organisation's repository, or a number the repository has no pull request under: 404.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { orgId, repository } = await requireRepository(request, context, params.repoId);
  const number = pullRequestNumber.safeParse(params.number);
  if (!number.success) throw notFound("pull request");
  const found = await getPullRequestPage(context.services.db, orgId, repository.id, number.data);
  if (!found) throw notFound("pull request");
  return Response.json(pullRequestDetailResponse.parse({ data: found }));
}
