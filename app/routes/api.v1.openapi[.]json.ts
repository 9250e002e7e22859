import type { LoaderFunctionArgs } from "@remix-run/node";
import { buildOpenApiDocument } from "~/api/openapi.server.ts";

/** GET /api/v1/openapi.json — public, like any API's reference. */
export function loader({ request, context }: LoaderFunctionArgs) {
  return Response.json(buildOpenApiDocument(context.services.env.PUBLIC_URL ?? new URL(request.url).origin));
}
