import { apiError } from "~/api/guard.server.ts";

// Unknown API paths answer JSON like the rest of the API, not the dashboard's HTML 404 page.
export function loader() {
  return apiError(404, "no such endpoint; see /api/v1/openapi.json");
}

export function action() {
  return apiError(404, "no such endpoint; see /api/v1/openapi.json");
}
