import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseSearchParams, requireRepository } from "~/api/guard.server.ts";
import { doraResponseSchema, getRepositoryDora } from "~/presenters/dora.server.ts";
import { rangeDaysQuery } from "~/utils/range-days.ts";

/**
 * GET /api/v1/repos/{id}/dora?days=7|30|90|365 — deployment frequency, lead time, change failure rate and time to
 * restore over the last `days` (90 by default), with change failure split by AI-written T3/T4 code. Another
 * organisation's repository: 404.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { orgId, repository } = await requireRepository(request, context, params.repoId);
  const { days } = parseSearchParams(rangeDaysQuery, request);
  const dora = await getRepositoryDora(context.services.db, orgId, repository, { now: context.services.clock.now(), days });
  return Response.json(doraResponseSchema.parse(dora));
}
