import { and, eq } from "drizzle-orm";
import type { Database } from "../../infrastructure/db/client.ts";
import { githubOrgMembers, teamMembers, teams } from "../../infrastructure/db/schema/index.ts";

export interface SeededTeam {
  slug: string;
  name: string;
  source: "github" | "manual";
  githubId: number | null;
  members: readonly string[];
}

/**
 * Writes a fixed set of teams and organisation members (the demo's, demo/dataset/teams.ts) in one transaction.
 * Keyed on (org, slug) and (team, login): seeding again, or after an interrupted run, adds only what is missing.
 */
export async function seedTeams(db: Database, orgId: string, input: { teams: readonly SeededTeam[]; orgMembers: readonly { login: string; githubId: number }[] }, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    if (input.orgMembers.length > 0) {
      await tx
        .insert(githubOrgMembers)
        .values(input.orgMembers.map((member) => ({ orgId, login: member.login, githubId: member.githubId, syncedAt: now })))
        .onConflictDoNothing();
    }
    for (const team of input.teams) {
      await tx
        .insert(teams)
        .values({ orgId, slug: team.slug, name: team.name, source: team.source, githubId: team.githubId, createdAt: now, updatedAt: now })
        .onConflictDoNothing();
      const [row] = await tx
        .select({ id: teams.id })
        .from(teams)
        .where(and(eq(teams.orgId, orgId), eq(teams.slug, team.slug)));
      await tx
        .insert(teamMembers)
        .values(team.members.map((login) => ({ teamId: row!.id, orgId, login, source: team.source, createdAt: now })))
        .onConflictDoNothing();
    }
  });
}
