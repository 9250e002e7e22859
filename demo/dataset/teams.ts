/**
 * The demo organisation's teams (issue 18, item 2): three GitHub teams of three or four people, whose logins are the
 * cast's commit authors (cast.ts), and one manual team of two that the team views never show on its own (its two
 * people are too few even for "Others"). Fixed ids and names: a re-seeded demo has the same teams.
 */
import { MEMBER_PROFILES } from "./cast.ts";

export interface DemoTeam {
  slug: string;
  name: string;
  source: "github" | "manual";
  /** GitHub's team id for a synced team; null for a team made in Settings. */
  githubId: number | null;
  members: readonly string[];
}

export const DEMO_TEAMS: readonly DemoTeam[] = [
  { slug: "payments", name: "Payments", source: "github", githubId: 9_410_021, members: ["lfischer", "priyaraman", "jblake", "eriklq"] },
  { slug: "web", name: "Web", source: "github", githubId: 9_410_022, members: ["mreed-dev", "talvarez", "amara-ok", "jblake"] },
  { slug: "ledger", name: "Ledger", source: "github", githubId: 9_410_023, members: ["hsato", "priyaraman", "eriklq"] },
  { slug: "manual/design-systems", name: "Design systems", source: "manual", githubId: null, members: ["talvarez", "amara-ok"] },
];

/** The GitHub organisation's members as a sync would have read them: everyone in the cast. */
export const DEMO_ORG_MEMBERS: readonly { login: string; githubId: number }[] = MEMBER_PROFILES.map((profile) => ({ login: profile.member.login, githubId: profile.member.id }));
