import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, withListFormat } from "~/api/csv.server.ts";
import { parseSearchParams, requireRepository } from "~/api/guard.server.ts";
import { getRepoMetrics, getRepoShareEstimate, metricsRangeQuery, resolveMetricsRange } from "~/presenters/repository.server.ts";

const metricsQuery = withListFormat(metricsRangeQuery);

/**
 * GET /api/v1/repos/{id}/metrics?from&to&format — daily rows, oldest first, and the range's AI share estimated from the
 * share bins (ADR 033); as CSV, the daily rows only. Another organisation's repository: 404.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { orgId, repository } = await requireRepository(request, context, params.repoId);
  const { format, ...query } = parseSearchParams(metricsQuery, request);
  const now = context.services.clock.now();
  const range = resolveMetricsRange(query, now);
  const days = getRepoMetrics(context.services.db, orgId, repository.id, range);
  if (format === "csv") return csvResponse("metrics", await days, now);
  const [data, aiShare] = await Promise.all([days, getRepoShareEstimate(context.services.db, orgId, repository.id, range)]);
  return Response.json({ repository, ...range, aiShare, data });
}
