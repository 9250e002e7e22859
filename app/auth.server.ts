import { redirect, type AppLoadContext } from "@remix-run/node";
import { resolveOAuthClient, type OAuthClient } from "../infrastructure/github/app-config.ts";
import { findUserWithMemberships, type Membership, type UserWithMemberships } from "../infrastructure/db/queries/users.ts";

export interface SignedInContext {
  user: UserWithMemberships;
  /** The organisation this request acts in; null when the user belongs to none yet. */
  org: Membership | null;
}

export async function getSession(request: Request, context: AppLoadContext) {
  return context.services.sessionStorage.getSession(request.headers.get("Cookie"));
}

/**
 * The OAuth client for "Sign in with GitHub": GITHUB_CLIENT_ID/SECRET, else the OAuth client of the App registered
 * on /setup (read through its cache); null when there is neither.
 */
export function githubSignInClient(context: AppLoadContext): Promise<OAuthClient | null> {
  return resolveOAuthClient(context.services.env, context.services.db);
}

/** Local sign-in exists only outside production and while no GitHub sign-in is configured (env or registered App). */
export async function isLocalSignInAllowed(context: AppLoadContext): Promise<boolean> {
  return !context.services.env.isProduction && !(await githubSignInClient(context));
}

export async function isGitHubSignInAllowed(context: AppLoadContext): Promise<boolean> {
  return (await githubSignInClient(context)) !== null;
}

/**
 * The guard every dashboard loader and action calls first. It throws a redirect to /login when nobody is
 * signed in, and resolves the organisation from the user's own memberships: an org id from the session
 * that the user no longer belongs to is ignored, never trusted.
 */
export async function requireUser(request: Request, context: AppLoadContext): Promise<SignedInContext> {
  const session = await getSession(request, context);
  const userId = session.get("userId");
  const url = new URL(request.url);
  const loginUrl = `/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`;
  if (!userId) throw redirect(loginUrl);
  const user = await findUserWithMemberships(context.services.db, userId);
  if (!user) {
    throw redirect(loginUrl, {
      headers: { "Set-Cookie": await context.services.sessionStorage.destroySession(session) },
    });
  }
  const preferred = session.get("orgId");
  const org = user.memberships.find((membership) => membership.orgId === preferred) ?? user.memberships[0] ?? null;
  return { user, org };
}

/** Only same-site relative paths: an open redirect would turn the login page into a phishing helper. */
export function safeRedirectPath(value: FormDataEntryValue | string | null, fallback = "/dashboard"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) {
    return fallback;
  }
  return value;
}

/** For pages that only make sense inside an organisation: without one, the dashboard explains how to get one. */
export async function requireOrganization(request: Request, context: AppLoadContext): Promise<SignedInContext & { org: Membership }> {
  const signedIn = await requireUser(request, context);
  if (!signedIn.org) throw redirect("/dashboard");
  return { ...signedIn, org: signedIn.org };
}

/**
 * What the AppShell shows: the user's display fields and the current organisation, plus the user's other
 * organisations for the switcher (empty for someone in one organisation).
 */
export function shellOf({ user, org }: SignedInContext) {
  return {
    user: { login: user.login, name: user.name, avatarUrl: user.avatarUrl },
    org: org
      ? {
          id: org.orgId,
          name: org.name,
          isDemo: org.isDemo,
          switchable: user.memberships.length > 1 ? user.memberships.map((membership) => ({ id: membership.orgId, name: membership.name })) : [],
        }
      : null,
  };
}

/**
 * Makes `orgId` the organisation the user's next requests act in, if they are its member. The choice lives in the
 * session; requireUser re-checks it against the memberships on every request.
 */
export async function switchOrganization(request: Request, context: AppLoadContext, orgId: string): Promise<{ ok: true; setCookie: string } | { ok: false }> {
  const { user } = await requireUser(request, context);
  if (!user.memberships.some((membership) => membership.orgId === orgId)) return { ok: false };
  const session = await getSession(request, context);
  session.set("orgId", orgId);
  return { ok: true, setCookie: await context.services.sessionStorage.commitSession(session) };
}
