import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseSearchParams, requireApiKey } from "~/api/guard.server.ts";
import { doraResponseSchema, getOrganizationDora } from "~/presenters/dora.server.ts";
import { rangeDaysQuery } from "~/utils/range-days.ts";

/**
 * GET /api/v1/dora?days=7|30|90|365 — the key's organisation's DORA figures over the last `days` (90 by default): its
 * active repositories' deployments and incidents together, with change failure split by AI-written T3/T4 code.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const { days } = parseSearchParams(rangeDaysQuery, request);
  const dora = await getOrganizationDora(context.services.db, orgId, { now: context.services.clock.now(), days });
  return Response.json(doraResponseSchema.parse(dora));
}
