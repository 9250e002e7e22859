import { and, desc, eq, isNull, notInArray, sql } from "drizzle-orm";
import type { Database } from "../../infrastructure/db/client.ts";
import { githubInstallations, githubOrgMembers, organizations, teamMembers, teams } from "../../infrastructure/db/schema/index.ts";
import { GitHubAccessError, type GitHubApi, type GitHubMember, type GitHubOrganizationTarget, type GitHubTeam } from "../../infrastructure/github/github-api.ts";
import type { Logger } from "../../infrastructure/logging/logger.ts";

/**
 * Teams from GitHub (issue 18, item 2; ADR 076): the organisation's teams, each team's members and the organisation's
 * members, read through the installation (Members: read) and written in one transaction that replaces the
 * `source = 'github'` rows and nothing else — manual teams are the admins' and survive every sync. Everything is read
 * before the transaction opens, so a GitHub failure midway leaves the previous sync's state as it was.
 */

export type TeamsSyncResult =
  | { status: "synced"; teams: number; memberships: number; orgMembers: number }
  /** Nothing to sync: no active installation on a GitHub organisation (a personal account has no teams), or no App. */
  | { status: "skipped"; reason: string }
  /** GitHub refused (403): the installation lacks Members: read. Retrying does not help; an owner must accept it. */
  | { status: "refused"; reason: string };

export interface TeamsSyncDeps {
  db: Database;
  github: GitHubApi | null;
  logger: Logger;
  now: () => Date;
}

/** Namespace of the advisory lock that serialises two syncs of one organisation (the daily one and a webhook's). */
const TEAMS_SYNC_LOCK = 4_807_076;

/** What a person does about a 403: GitHub asks an organisation owner to accept a permission added after installing. */
export function membersPermissionAdvice(org: string): string {
  return (
    `GitHub refused to list the teams of ${org} (403): the Sentinel App was installed before it asked for "Members: read". ` +
    `An owner of ${org} accepts the new permission on GitHub (Settings → GitHub Apps → Sentinel → Review request); ` +
    "the next daily sync, or any team change, then brings the teams in. Manual teams (Settings → Teams) work meanwhile."
  );
}

interface FetchedOrganization {
  teams: Array<GitHubTeam & { members: GitHubMember[] }>;
  members: GitHubMember[];
}

/** The installation to read with: the organisation's newest active one on a GitHub organisation account. */
async function organizationTarget(db: Database, orgId: string): Promise<GitHubOrganizationTarget | null> {
  const [installation] = await db
    .select({ id: githubInstallations.id, login: githubInstallations.accountLogin, type: githubInstallations.accountType })
    .from(githubInstallations)
    .where(and(eq(githubInstallations.orgId, orgId), isNull(githubInstallations.deletedAt), isNull(githubInstallations.suspendedAt)))
    .orderBy(desc(githubInstallations.createdAt))
    .limit(1);
  if (!installation || installation.type !== "Organization") return null;
  return { installationId: installation.id, org: installation.login };
}

/** Reads everything first; null when GitHub says the organisation is gone (404). */
async function fetchOrganization(github: GitHubApi, target: GitHubOrganizationTarget): Promise<FetchedOrganization | null> {
  const listed = await github.listOrganizationTeams(target);
  const members = await github.listOrganizationMembers(target);
  if (listed === null || members === null) return null;
  const withMembers = [];
  for (const team of listed) {
    // A team deleted between the two calls answers 404: it is left out, as the next list would leave it out.
    const teamMembers = await github.listTeamMembers(target, team.slug);
    if (teamMembers !== null) withMembers.push({ ...team, members: teamMembers });
  }
  return { teams: withMembers, members };
}

/** Replaces the organisation's GitHub teams, their members and the organisation's members, all or nothing. */
async function replaceGitHubTeams(db: Database, orgId: string, fetched: FetchedOrganization, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${TEAMS_SYNC_LOCK}, hashtext(${orgId}))`);
    // Slugs move out of the way first: two teams swapping names on GitHub would otherwise collide on (org, slug).
    await tx
      .update(teams)
      .set({ slug: sql`'github-sync/' || ${teams.id}` })
      .where(and(eq(teams.orgId, orgId), eq(teams.source, "github")));
    const keep = fetched.teams.map((team) => team.id);
    await tx.delete(teams).where(and(eq(teams.orgId, orgId), eq(teams.source, "github"), keep.length > 0 ? notInArray(teams.githubId, keep) : undefined));
    let memberships = 0;
    for (const team of fetched.teams) {
      // Upserted on GitHub's id, so a team keeps its Sentinel id (and its page's address) across syncs and renames.
      const [row] = await tx
        .insert(teams)
        .values({ orgId, slug: team.slug, name: team.name, source: "github", githubId: team.id, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({
          target: [teams.orgId, teams.githubId],
          targetWhere: sql`${teams.githubId} is not null`,
          set: { slug: team.slug, name: team.name, source: "github", updatedAt: now },
        })
        .returning({ id: teams.id });
      await tx.delete(teamMembers).where(eq(teamMembers.teamId, row!.id));
      const logins = [...new Set(team.members.map((member) => member.login))];
      if (logins.length > 0) await tx.insert(teamMembers).values(logins.map((login) => ({ teamId: row!.id, orgId, login, source: "github" as const, createdAt: now })));
      memberships += logins.length;
    }
    await tx.delete(githubOrgMembers).where(eq(githubOrgMembers.orgId, orgId));
    const unique = [...new Map(fetched.members.map((member) => [member.login, member])).values()];
    for (let start = 0; start < unique.length; start += 1_000) {
      await tx.insert(githubOrgMembers).values(unique.slice(start, start + 1_000).map((member) => ({ orgId, login: member.login, githubId: member.id, syncedAt: now })));
    }
    return memberships;
  });
}

/**
 * One sync of one organisation. A 403 is logged once, with what to do, and returned (not thrown): the job does not
 * retry a refusal only a person can lift. Rate limits and network failures are thrown for the queue's backoff.
 */
export async function syncGitHubTeams(deps: TeamsSyncDeps, orgId: string): Promise<TeamsSyncResult> {
  if (!deps.github) return { status: "skipped", reason: "the GitHub App is not configured" };
  const target = await organizationTarget(deps.db, orgId);
  if (!target) return { status: "skipped", reason: "no active installation on a GitHub organisation (personal accounts have no teams)" };
  let fetched: FetchedOrganization | null;
  try {
    fetched = await fetchOrganization(deps.github, target);
  } catch (error) {
    if (error instanceof GitHubAccessError && error.status === 403) {
      const reason = membersPermissionAdvice(target.org);
      deps.logger.warn({ orgId, org: target.org, github: error.reason }, reason);
      return { status: "refused", reason };
    }
    throw error;
  }
  if (!fetched) return { status: "skipped", reason: `GitHub does not know the organisation ${target.org} (404)` };
  const memberships = await replaceGitHubTeams(deps.db, orgId, fetched, deps.now());
  deps.logger.info({ orgId, teams: fetched.teams.length, memberships, orgMembers: fetched.members.length }, "GitHub teams synced");
  return { status: "synced", teams: fetched.teams.length, memberships, orgMembers: fetched.members.length };
}

/**
 * Organisations whose teams the daily sync reads: those with an active installation on a GitHub organisation. The
 * demo's installation is simulated (GitHub does not know it): its teams are seeded, never synced.
 */
export async function organizationsWithGitHubTeams(db: Database): Promise<string[]> {
  const rows = await db
    .selectDistinct({ orgId: githubInstallations.orgId })
    .from(githubInstallations)
    .innerJoin(organizations, eq(organizations.id, githubInstallations.orgId))
    .where(
      and(isNull(githubInstallations.deletedAt), isNull(githubInstallations.suspendedAt), eq(githubInstallations.accountType, "Organization"), eq(organizations.isDemo, false)),
    );
  return rows.map((row) => row.orgId);
}
