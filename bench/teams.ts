/**
 * The generated organisation's teams (issue 18, "By team"): GitHub teams of 3 to 12 people covering most members, a
 * few teams of two (too small to be shown on their own: groups under three stay hidden), a couple made by hand in
 * Settings, and some people in two teams; and the GitHub organisation's member list that team mappings are checked
 * against. Drawn from the plan's own stream (`planOrganization`'s "teams" fork), so the rest of the organisation is
 * the same with or without them.
 */
import type { Random } from "../demo/dataset/random.ts";

export interface TeamMemberPlan {
  login: string;
  source: "github" | "manual";
}

export interface TeamPlan {
  id: string;
  slug: string;
  name: string;
  source: "github" | "manual";
  /** GitHub's team id; null for a team made in Settings. */
  githubId: number | null;
  members: TeamMemberPlan[];
}

const TEAM_NAMES = [
  "Payments", "Platform", "Identity", "Growth", "Mobile", "Data", "Search", "Checkout", "Infrastructure", "Billing", "Developer Experience",
  "Security", "Notifications", "Analytics", "Onboarding", "Support Tools", "Reliability", "Storefront", "Machine Learning", "Integrations",
];
/** Of the members, the share in at least one team: the rest (new joiners, contractors) are in none. */
const COVERED_SHARE = 0.92;
/** Of the members in a team, the share also in a second one. */
const SECOND_TEAM_SHARE = 0.12;
/** Every this-many-th team is a pair; every this-many-th team was made by hand in Settings. */
const PAIR_EVERY = 5;
const MANUAL_EVERY = 7;

/** The organisation's id with the team's number for its last group: unique by construction, in any organisation. */
function teamId(orgId: string, index: number): string {
  return `${orgId.slice(0, 24)}${index.toString(16).padStart(12, "0")}`;
}

function slugOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** Sizes: the third of every five teams is a pair, the others 3 to 12 (at most a third of the covered members). */
function teamSize(random: Random, index: number, covered: number): number {
  if (index % PAIR_EVERY === 2) return 2;
  return random.int(3, Math.min(12, Math.max(3, Math.round(covered / 3))));
}

/** Teams of the members (by login, in the plan's order): deterministic in the stream and the member list. */
export function planTeams(random: Random, orgId: string, logins: readonly string[]): TeamPlan[] {
  const shuffled = random.shuffle(logins);
  const covered = shuffled.slice(0, Math.max(2, Math.round(shuffled.length * COVERED_SHARE)));
  const teams: TeamPlan[] = [];
  for (let at = 0; covered.length - at >= 2; ) {
    const index = teams.length;
    const size = Math.min(teamSize(random, index, covered.length), covered.length - at);
    const name = `${TEAM_NAMES[index % TEAM_NAMES.length]}${index >= TEAM_NAMES.length ? ` ${Math.floor(index / TEAM_NAMES.length) + 1}` : ""}`;
    const source = index % MANUAL_EVERY === MANUAL_EVERY - 1 ? "manual" : "github";
    teams.push({
      id: teamId(orgId, index),
      slug: slugOf(name),
      name,
      source,
      githubId: source === "github" ? 5_000_000 + index : null,
      members: covered.slice(at, at + size).map((login) => ({ login, source })),
    });
    at += size;
  }
  if (teams.length < 2) return teams;
  // Some people also belong to a second team (a platform engineer embedded in a product team): added by hand.
  for (const person of covered) {
    if (!random.chance(SECOND_TEAM_SHARE)) continue;
    // Pairs stay pairs and no team grows past 12.
    const others = teams.filter((team) => team.members.length >= 3 && team.members.length < 12 && !team.members.some((member) => member.login === person));
    if (others.length > 0) random.pick(others).members.push({ login: person, source: "manual" });
  }
  return teams;
}
