import type { LoaderFunctionArgs } from "@remix-run/node";
import { isGitHubSignInAllowed } from "~/auth.server.ts";
import { finishGitHubSignIn } from "~/auth/github.server.ts";

/** GET /auth/github/callback — GitHub sends the user back here with `code` and `state`. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  if (!(await isGitHubSignInAllowed(context))) throw new Response("Not Found", { status: 404 });
  return finishGitHubSignIn(request, context);
}
