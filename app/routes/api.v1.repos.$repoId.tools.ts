import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseSearchParams, requireRepository } from "~/api/guard.server.ts";
import { aiToolsResponseSchema, getRepositoryAiTools } from "~/presenters/ai-tools.server.ts";
import { rangeDaysQuery } from "~/utils/range-days.ts";

/**
 * GET /api/v1/repos/{id}/tools?days=7|30|90|365 — AI commits and their written lines per AI tool, in all and per ISO
 * week, over the last `days` (90 by default). Another organisation's repository: 404.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { orgId, repository } = await requireRepository(request, context, params.repoId);
  const { days } = parseSearchParams(rangeDaysQuery, request);
  const tools = await getRepositoryAiTools(context.services.db, orgId, repository, { now: context.services.clock.now(), days });
  return Response.json(aiToolsResponseSchema.parse(tools));
}
