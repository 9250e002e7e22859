import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, withListFormat } from "~/api/csv.server.ts";
import { parseSearchParams, requireApiKey } from "~/api/guard.server.ts";
import { getPullRequestList, pullRequestListQuery, pullRequestListResponse } from "~/presenters/pulls.server.ts";

const pullsQuery = withListFormat(pullRequestListQuery);

/**
 * GET /api/v1/pulls?days=7|30|90|365&repo&kind=all|ai|human&page&limit&format — the pull requests opened over the last
 * `days` (90 by default), newest first, with AI-assisted vs human cycle and review times. `format=csv`: the page's rows.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const { format, ...query } = parseSearchParams(pullsQuery, request);
  const now = context.services.clock.now();
  const list = pullRequestListResponse.parse(await getPullRequestList(context.services.db, orgId, query, now));
  if (format === "csv") return csvResponse("pulls", list.data, now);
  return Response.json(list);
}
