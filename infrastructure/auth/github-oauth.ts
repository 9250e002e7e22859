import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { Authenticator } from "remix-auth";
import { GitHubStrategy } from "remix-auth-github";
import { z } from "zod";
import type { Env } from "../config/env.ts";
import type { Executor } from "../db/client.ts";
import { githubInstallations, organizationMemberRemovals, organizationMembers, organizations, users } from "../db/schema/index.ts";

export const GITHUB_OAUTH_STATE_COOKIE = "sentinel_github_oauth";

const githubUser = z.object({
  id: z.number().int().positive(),
  login: z.string(),
  name: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  avatar_url: z.string().nullable().optional(),
});
export type GitHubUser = z.infer<typeof githubUser>;
const githubOrgs = z.array(z.object({ id: z.number().int().positive(), login: z.string() }));

async function getJson(url: string, accessToken: string, fetchImpl: typeof fetch): Promise<unknown> {
  const response = await fetchImpl(url, {
    headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/vnd.github+json", "User-Agent": "sentinel" },
  });
  if (!response.ok) throw new Error(`GitHub answered ${response.status} for ${new URL(url).pathname}`);
  return response.json();
}

/**
 * Creates or updates the user by GitHub's numeric id (logins can be renamed) and brings their memberships up to
 * date: the GitHub account that installed an organisation's App joins it as owner; members of the GitHub
 * organisation an installation belongs to join it as members. A role someone already has is kept (Settings →
 * Members may have changed it), except that the installer becomes owner again of an organisation left without one.
 * People an owner or admin removed (organization_member_removals) are not added back.
 */
export async function upsertGitHubUser(db: Executor, profile: GitHubUser, githubOrgIds: readonly number[], now: Date): Promise<string> {
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ githubId: profile.id, login: profile.login, name: profile.name ?? null, email: profile.email ?? null, avatarUrl: profile.avatar_url ?? null, lastLoginAt: now })
      .onConflictDoUpdate({
        target: users.githubId,
        targetWhere: sql`${users.githubId} is not null`,
        set: { login: profile.login, name: profile.name ?? null, email: profile.email ?? null, avatarUrl: profile.avatar_url ?? null, lastLoginAt: now },
      })
      .returning({ id: users.id });
    const userId = user!.id;
    const accountIds = [profile.id, ...githubOrgIds];
    const reachable = await tx
      .selectDistinct({ orgId: githubInstallations.orgId, installedBy: githubInstallations.installedByGithubId })
      .from(githubInstallations)
      .innerJoin(organizations, eq(organizations.id, githubInstallations.orgId))
      .where(
        and(
          isNull(githubInstallations.deletedAt),
          or(inArray(githubInstallations.accountId, accountIds), eq(githubInstallations.installedByGithubId, profile.id)),
        ),
      );
    const removedFrom = new Set(
      (await tx.select({ orgId: organizationMemberRemovals.orgId }).from(organizationMemberRemovals).where(eq(organizationMemberRemovals.userId, userId))).map(
        (row) => row.orgId,
      ),
    );
    // An organisation reachable through two installations, one of them the user's own, makes them owner.
    const roles = new Map<string, "owner" | "member">();
    for (const { orgId, installedBy } of reachable) {
      if (removedFrom.has(orgId)) continue;
      if (installedBy === profile.id || !roles.has(orgId)) roles.set(orgId, installedBy === profile.id ? "owner" : "member");
    }
    for (const [orgId, role] of roles) {
      await tx
        .insert(organizationMembers)
        .values({ orgId, userId, role })
        .onConflictDoUpdate({
          target: [organizationMembers.orgId, organizationMembers.userId],
          set: {
            role: sql`case when ${role} = 'owner' and not exists (
                select 1 from organization_members o where o.org_id = ${orgId} and o.role = 'owner'
              ) then 'owner'::member_role else ${organizationMembers.role} end`,
          },
        });
    }
    return userId;
  });
}

/**
 * remix-auth v4 with the GitHub strategy: the strategy keeps the OAuth state in a short-lived cookie of its own and
 * refuses a callback whose state is missing or differs; the verify step returns our user id, which the route puts
 * in the cookie session. `fetchImpl` is for tests (GitHub is faked).
 */
export function createGitHubAuthenticator(
  deps: { db: Executor; env: Env; fetchImpl?: typeof fetch; now?: () => Date },
  redirectURI: string,
): Authenticator<string> {
  const { env } = deps;
  if (!env.GITHUB_CLIENT_ID || !env.GITHUB_CLIENT_SECRET) throw new Error("GitHub sign-in is not configured");
  const fetchImpl = deps.fetchImpl ?? fetch;
  const apiUrl = env.GITHUB_API_URL.replace(/\/$/, "");
  const authenticator = new Authenticator<string>();
  authenticator.use(
    new GitHubStrategy(
      {
        clientId: env.GITHUB_CLIENT_ID,
        clientSecret: env.GITHUB_CLIENT_SECRET,
        redirectURI,
        scopes: ["read:user", "user:email", "read:org"],
        cookie: { name: GITHUB_OAUTH_STATE_COOKIE, httpOnly: true, sameSite: "Lax", path: "/auth/github", maxAge: 600, ...(env.isProduction ? { secure: true as const } : {}) },
      },
      async ({ tokens }) => {
        const accessToken = tokens.accessToken();
        const profile = githubUser.parse(await getJson(`${apiUrl}/user`, accessToken, fetchImpl));
        const orgs = githubOrgs.parse(await getJson(`${apiUrl}/user/orgs?per_page=100`, accessToken, fetchImpl));
        return upsertGitHubUser(deps.db, profile, orgs.map((org) => org.id), deps.now?.() ?? new Date());
      },
    ),
  );
  return authenticator;
}
