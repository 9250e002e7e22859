import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseSearchParams, requireApiKey } from "~/api/guard.server.ts";
import { alertListQuery, getAlertSummary, listAlerts } from "~/presenters/alerts.server.ts";

/** GET /api/v1/alerts?status&severity&repo&limit — newest first, with the last 30 days' counts. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const query = parseSearchParams(alertListQuery, request);
  const [data, summary] = await Promise.all([listAlerts(context.services.db, orgId, query), getAlertSummary(context.services.db, orgId, context.services.clock.now())]);
  return Response.json({ data, summary });
}
