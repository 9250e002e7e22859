import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseSearchParams, requireApiKey } from "~/api/guard.server.ts";
import { eventFeedQuery, listEvents } from "~/presenters/events.server.ts";

/** GET /api/v1/events?cursor&repo&type&minConfidence&limit — newest first; pass nextCursor back for the next page. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const query = parseSearchParams(eventFeedQuery, request);
  const { events, nextCursor } = await listEvents(context.services.db, orgId, query);
  return Response.json({ data: events, nextCursor });
}
