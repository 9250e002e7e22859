import { redirect, type AppLoadContext } from "@remix-run/node";
import { createGitHubAuthenticator, GITHUB_OAUTH_STATE_COOKIE } from "../../infrastructure/auth/github-oauth.ts";
import { githubSignInClient } from "../auth.server.ts";

export const GITHUB_CALLBACK_PATH = "/auth/github/callback";

function callbackUrl(request: Request, context: AppLoadContext): string {
  const base = context.services.env.PUBLIC_URL ?? new URL(request.url).origin;
  return new URL(GITHUB_CALLBACK_PATH, base).toString();
}

/** The environment with the resolved OAuth client in it (GITHUB_CLIENT_* or the App registered on /setup). */
async function signInEnv(context: AppLoadContext) {
  const client = await githubSignInClient(context);
  if (!client) throw new Response("Not Found", { status: 404 });
  return { ...context.services.env, GITHUB_CLIENT_ID: client.clientId, GITHUB_CLIENT_SECRET: client.clientSecret };
}

/** Clears the strategy's state cookie: one state, one use. */
function clearStateCookie(): string {
  return `${GITHUB_OAUTH_STATE_COOKIE}=; Path=/auth/github; Max-Age=0; HttpOnly; SameSite=Lax`;
}

/** Starts the OAuth dance: the strategy throws the redirect to GitHub with a fresh state cookie. */
export async function startGitHubSignIn(request: Request, context: AppLoadContext): Promise<never> {
  const authenticator = createGitHubAuthenticator({ db: context.services.db, env: await signInEnv(context) }, callbackUrl(request, context));
  await authenticator.authenticate("github", request);
  throw new Error("the GitHub strategy did not redirect");
}

/**
 * The callback: a missing or altered state, a missing code or a refused code exchange all end on the sign-in page
 * with no session; only a verified user gets the session cookie.
 */
export async function finishGitHubSignIn(request: Request, context: AppLoadContext, fetchImpl?: typeof fetch): Promise<Response> {
  const { services } = context;
  const authenticator = createGitHubAuthenticator({ db: services.db, env: await signInEnv(context), fetchImpl }, callbackUrl(request, context));
  let userId: string;
  try {
    // Without a state the strategy would start a new sign-in; on the callback that is a forged or broken request.
    if (!new URL(request.url).searchParams.get("state")) throw new Error("the callback carries no OAuth state");
    userId = await authenticator.authenticate("github", request);
  } catch (error) {
    if (error instanceof Response) throw error;
    services.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "GitHub sign-in rejected");
    const headers = new Headers({ "Set-Cookie": clearStateCookie() });
    return redirect("/login?error=github", { headers });
  }
  const session = await services.sessionStorage.getSession(request.headers.get("Cookie"));
  session.set("userId", userId);
  session.unset("orgId");
  const headers = new Headers();
  headers.append("Set-Cookie", clearStateCookie());
  headers.append("Set-Cookie", await services.sessionStorage.commitSession(session));
  return redirect("/dashboard", { headers });
}
