import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, withListFormat } from "~/api/csv.server.ts";
import { parseSearchParams, requireApiKey } from "~/api/guard.server.ts";
import { getOrganisationAiToolsSummary, organisationAiToolsResponseSchema, organisationToolCsvRows } from "~/presenters/ai-tools.server.ts";
import { rangeDaysQuery } from "~/utils/range-days.ts";

const toolsQuery = withListFormat(rangeDaysQuery);

/**
 * GET /api/v1/tools?days=7|30|90|365&format=json|csv — the key's organisation's AI tools over the ISO weeks the last
 * `days` (90 by default) touch: per tool its AI commits, written lines, repositories, AI tax and survival, and per
 * week; as CSV, one row per tool.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const { days, format } = parseSearchParams(toolsQuery, request);
  const now = context.services.clock.now();
  const tools = organisationAiToolsResponseSchema.parse(await getOrganisationAiToolsSummary(context.services.db, orgId, { now, days }));
  if (format === "csv") return csvResponse("tools", organisationToolCsvRows(tools.data), now);
  return Response.json(tools);
}
