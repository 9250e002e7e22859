import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, parseSearchParams, requireApiKey } from "~/api/guard.server.ts";
import { findRepository, getRepoMetrics, getRepoShareEstimate, metricsRangeQuery, resolveMetricsRange } from "~/presenters/repository.server.ts";

/**
 * GET /api/v1/repos/{id}/metrics?from&to — daily rows, oldest first, and the range's AI share estimated from the share
 * bins (ADR 033). Another organisation's repository: 404.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const repository = await findRepository(context.services.db, orgId, params.repoId ?? "");
  if (!repository) throw notFound("repository");
  const range = resolveMetricsRange(parseSearchParams(metricsRangeQuery, request), context.services.clock.now());
  const [data, aiShare] = await Promise.all([
    getRepoMetrics(context.services.db, orgId, repository.id, range),
    getRepoShareEstimate(context.services.db, orgId, repository.id, range),
  ]);
  return Response.json({ repository, ...range, aiShare, data });
}
