import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvResponse, nextPageLink, withListFormat } from "~/api/csv.server.ts";
import { parseSearchParams, requireApiKey } from "~/api/guard.server.ts";
import { eventFeedQuery, listEvents } from "~/presenters/events.server.ts";

const eventsQuery = withListFormat(eventFeedQuery);

/**
 * GET /api/v1/events?cursor&repo&type&minConfidence&limit&format — newest first; pass nextCursor back for the next
 * page (as CSV, follow the `Link: rel="next"` header instead).
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const { format, ...query } = parseSearchParams(eventsQuery, request);
  const { events, nextCursor } = await listEvents(context.services.db, orgId, query);
  if (format === "csv") return csvResponse("events", events, context.services.clock.now(), nextPageLink(request, nextCursor));
  return Response.json({ data: events, nextCursor });
}
