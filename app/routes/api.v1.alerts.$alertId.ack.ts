import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, notFound, requireApiKey } from "~/api/guard.server.ts";
import { acknowledgeAlert } from "../../application/alerts/acknowledge.server.ts";

export function loader() {
  return methodNotAllowed("POST");
}

/** POST /api/v1/alerts/{id}/ack — acknowledges the alert (idempotent); another organisation's alert: 404. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const { orgId } = await requireApiKey(request, context, "write", "acknowledge alerts");
  const { db, queue } = context.services;
  // Acknowledging also enqueues PagerDuty acknowledgements for the channels the alert went to.
  const result = await acknowledgeAlert({ db, queue }, orgId, params.alertId ?? "", null);
  if (!result.ok) return notFound("alert");
  return Response.json({ data: { id: params.alertId, acknowledgedAt: result.acknowledgedAt.toISOString(), alreadyAcknowledged: result.alreadyAcknowledged } });
}
