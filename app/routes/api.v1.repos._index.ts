import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireApiKey } from "~/api/guard.server.ts";
import { getDashboard } from "~/presenters/dashboard.server.ts";

/** GET /api/v1/repos — the key's organisation's active repositories with their last-90-day numbers. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const dashboard = await getDashboard(context.services.db, orgId, context.services.clock.now());
  return Response.json({ data: dashboard.repositories, windowDays: dashboard.windowDays });
}
