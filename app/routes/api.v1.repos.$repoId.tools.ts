import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, parseSearchParams, requireApiKey } from "~/api/guard.server.ts";
import { aiToolsQuery, aiToolsResponseSchema, getRepositoryAiTools } from "~/presenters/ai-tools.server.ts";
import { findRepository } from "~/presenters/repository.server.ts";

/**
 * GET /api/v1/repos/{id}/tools?days=7|30|90|365 — AI commits and their written lines per AI tool, in all and per ISO
 * week, over the last `days` (90 by default). Another organisation's repository: 404.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const repository = await findRepository(context.services.db, orgId, params.repoId ?? "");
  if (!repository) throw notFound("repository");
  const { days } = parseSearchParams(aiToolsQuery, request);
  const tools = await getRepositoryAiTools(context.services.db, orgId, repository, { now: context.services.clock.now(), days });
  return Response.json(aiToolsResponseSchema.parse(tools));
}
