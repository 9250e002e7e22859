import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, parseSearchParams, requireApiKey } from "~/api/guard.server.ts";
import { doraQuery, doraResponseSchema, getRepositoryDora } from "~/presenters/dora.server.ts";
import { findRepository } from "~/presenters/repository.server.ts";

/**
 * GET /api/v1/repos/{id}/dora?days=7|30|90|365 — deployment frequency, lead time, change failure rate and time to
 * restore over the last `days` (90 by default), with change failure split by AI-written T3/T4 code. Another
 * organisation's repository: 404.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { orgId } = await requireApiKey(request, context, "read");
  const repository = await findRepository(context.services.db, orgId, params.repoId ?? "");
  if (!repository) throw notFound("repository");
  const { days } = parseSearchParams(doraQuery, request);
  const dora = await getRepositoryDora(context.services.db, orgId, repository, { now: context.services.clock.now(), days });
  return Response.json(doraResponseSchema.parse(dora));
}
