import type { ActionFunctionArgs } from "@remix-run/node";
import { isGitHubSignInAllowed } from "~/auth.server.ts";
import { startGitHubSignIn } from "~/auth/github.server.ts";

/** POST /auth/github — a form post (same-origin, checked by the server) that redirects to GitHub. */
export async function action({ request, context }: ActionFunctionArgs) {
  if (!(await isGitHubSignInAllowed(context))) throw new Response("Not Found", { status: 404 });
  return startGitHubSignIn(request, context);
}

export function loader() {
  throw new Response("Not Found", { status: 404 });
}
