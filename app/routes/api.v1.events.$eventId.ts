import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireApiKey } from "~/api/guard.server.ts";
import { getEventDetail } from "~/presenters/events.server.ts";

/** GET /api/v1/events/{id} — the event and, for a commit, the verdict per file with the signals' evidence. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const id = params.eventId ?? "";
  // A malformed id and another organisation's id look the same from outside.
  if (!/^\d{1,15}$/.test(id)) throw notFound("event");
  const detail = await getEventDetail(context.services.db, orgId, Number(id));
  if (!detail) throw notFound("event");
  return Response.json({ data: detail });
}
