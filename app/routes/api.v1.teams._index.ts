import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, withListFormat } from "~/api/csv.server.ts";
import { parseSearchParams, requireApiKey } from "~/api/guard.server.ts";
import { getTeamList, teamCsvRows, teamListResponse } from "~/presenters/teams.server.ts";
import { rangeDaysQuery } from "~/utils/range-days.ts";

const teamsQuery = withListFormat(rangeDaysQuery);

/**
 * GET /api/v1/teams?days=7|30|90|365&format=json|csv — the organisation's teams of 3 people or more with their figures
 * over the last `days` (90 by default), and the smaller teams together as "others" (hidden below 3 people). No person
 * data: per-person figures are only on a team's own answer, and only when an owner turned them on.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const { days, format } = parseSearchParams(teamsQuery, request);
  const now = context.services.clock.now();
  const teams = teamListResponse.parse(await getTeamList(context.services.db, orgId, { now, days, logger: context.services.logger }));
  if (format === "csv") return csvResponse("teams", teamCsvRows(teams.data), now);
  return Response.json(teams);
}
