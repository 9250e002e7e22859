import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireApiKey } from "~/api/guard.server.ts";
import { findRepository, getHighRiskFiles } from "~/presenters/repository.server.ts";

/** GET /api/v1/repos/{id}/high-risk-files — T3/T4 files changed by AI (confidence ≥ 0.5) in the last 90 days. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const repository = await findRepository(context.services.db, orgId, params.repoId ?? "");
  if (!repository) throw notFound("repository");
  const data = await getHighRiskFiles(context.services.db, orgId, repository.id, { now: context.services.clock.now() });
  return Response.json({ repository, windowDays: 90, data });
}
