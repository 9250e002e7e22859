import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, parseSearchParams, requireApiKey } from "~/api/guard.server.ts";
import { getTeamPage, teamDetailResponse } from "~/presenters/teams.server.ts";
import { rangeDaysQuery } from "~/utils/range-days.ts";

/**
 * GET /api/v1/teams/{id}?days=7|30|90|365 — one team's figures; `members` (per person) only while per-person figures
 * are on, and no figures at all for a team under 3 people. Unknown or another organisation's team: 404.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const { days } = parseSearchParams(rangeDaysQuery, request);
  const team = await getTeamPage(context.services.db, orgId, params.teamId ?? "", { now: context.services.clock.now(), days, logger: context.services.logger });
  if (!team) throw notFound("Team");
  return Response.json(teamDetailResponse.parse(team));
}
