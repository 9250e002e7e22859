import { z } from "zod";

/**
 * Privacy of the team views (issue 18, item 2; ADR 076). Team views are the default; figures per person are off until
 * an owner turns them on for the organisation; and no group smaller than MIN_GROUP_SIZE people is ever shown on its
 * own — a small team's numbers fold into "Others", and "Others" itself is hidden while it is still too small.
 */

/** The fewest people a figure may describe: below this a team's numbers point at one or two people. */
export const MIN_GROUP_SIZE = 3;

/** `organizations.settings.teams`. Absent or unreadable: per-person figures off (the private choice). */
export const teamPrivacySchema = z.object({ perPerson: z.boolean().default(false) }).strict();

export type TeamPrivacy = z.infer<typeof teamPrivacySchema>;

export const DEFAULT_TEAM_PRIVACY: TeamPrivacy = { perPerson: false };

/** The organisation's settings object → its team privacy; anything unreadable falls back to "off", never to "on". */
export function parseTeamPrivacy(settings: unknown): { privacy: TeamPrivacy; valid: boolean } {
  const stored = typeof settings === "object" && settings !== null ? (settings as Record<string, unknown>).teams : undefined;
  if (stored === undefined) return { privacy: DEFAULT_TEAM_PRIVACY, valid: true };
  const parsed = teamPrivacySchema.safeParse(stored);
  return parsed.success ? { privacy: parsed.data, valid: true } : { privacy: DEFAULT_TEAM_PRIVACY, valid: false };
}

export interface GroupOfPeople {
  /** Distinct logins of the group. */
  members: readonly string[];
}

export interface FoldedGroups<T extends GroupOfPeople> {
  /** Groups of MIN_GROUP_SIZE people or more, shown on their own. */
  shown: T[];
  /** The people of the smaller groups, together; null when there are none or still fewer than MIN_GROUP_SIZE. */
  others: { members: string[]; teams: number } | null;
  /** Small groups whose people are not shown anywhere on their own (also when "Others" is hidden). */
  folded: T[];
}

/** Splits groups into those shown on their own and "Others" (the union of the small groups' people). */
export function foldSmallGroups<T extends GroupOfPeople>(groups: readonly T[]): FoldedGroups<T> {
  const shown = groups.filter((group) => new Set(group.members).size >= MIN_GROUP_SIZE);
  const folded = groups.filter((group) => new Set(group.members).size < MIN_GROUP_SIZE);
  const people = [...new Set(folded.flatMap((group) => group.members))].sort();
  return { shown, folded, others: people.length >= MIN_GROUP_SIZE ? { members: people, teams: folded.length } : null };
}

/** Whether one group may be shown on its own. */
export function isShownOnItsOwn(group: GroupOfPeople): boolean {
  return new Set(group.members).size >= MIN_GROUP_SIZE;
}

/** The sentence the pages show, so that every view says the same thing. */
export const PRIVACY_SENTENCE =
  `Teams with fewer than ${MIN_GROUP_SIZE} people are never shown on their own: their numbers are counted in "Others", which is itself hidden while it has fewer than ${MIN_GROUP_SIZE} people.`;
