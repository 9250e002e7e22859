import { eq, sql } from "drizzle-orm";
import type { MemberRole } from "../../domain/access/roles.ts";
import { parseTeamPrivacy, teamPrivacySchema, type TeamPrivacy } from "../../domain/teams/privacy.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { organizations } from "../../infrastructure/db/schema/index.ts";
import type { Logger } from "../../infrastructure/logging/logger.ts";

/**
 * Per-person figures (ADR 076): `organizations.settings.teams.perPerson`, off unless an owner turns it on. Every page
 * and API answer reads it per request, so turning it off hides person data at once; nothing caches it.
 */

export async function readTeamPrivacy(db: Executor, orgId: string, logger?: Logger): Promise<TeamPrivacy> {
  const [org] = await db.select({ settings: organizations.settings }).from(organizations).where(eq(organizations.id, orgId));
  const { privacy, valid } = parseTeamPrivacy(org?.settings);
  if (!valid) logger?.warn({ orgId }, "organizations.settings.teams is unreadable: per-person figures stay off");
  return privacy;
}

export type PrivacyChange = { ok: true; privacy: TeamPrivacy } | { ok: false; code: "FORBIDDEN" };

/** Only an owner decides whether people are shown one by one; admins manage teams but not this. */
export async function setPerPersonFigures(db: Executor, actor: { orgId: string; role: MemberRole }, perPerson: boolean): Promise<PrivacyChange> {
  if (actor.role !== "owner") return { ok: false, code: "FORBIDDEN" };
  const privacy = teamPrivacySchema.parse({ perPerson });
  await db
    .update(organizations)
    .set({ settings: sql`jsonb_set(${organizations.settings}, '{teams}', ${JSON.stringify(privacy)}::jsonb, true)`, updatedAt: new Date() })
    .where(eq(organizations.id, actor.orgId));
  return { ok: true, privacy };
}
