import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { MemberRole } from "../../domain/access/roles.ts";
import { fieldErrorsOf } from "../../domain/field-errors.ts";
import type { Database, Executor } from "../../infrastructure/db/client.ts";
import { teamMembers, teams } from "../../infrastructure/db/schema/index.ts";

/**
 * Teams an admin makes in Settings → Teams (ADR 076): a name and the GitHub logins of its people. A login must be one
 * the organisation knows — a member of the GitHub organisation as last synced, or an author of one of its commits or
 * pull requests — so a typo is a field error naming it, not an empty team that silently counts nothing.
 */

// GitHub logins: alphanumerics and single hyphens, at most 39; bots as commit authors carry "[bot]".
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:\[bot\])?$/;
export const MAX_TEAM_MEMBERS = 500;

/** Logins from the form's text: separated by commas, spaces or new lines, an optional leading "@", duplicates dropped. */
export function loginsFromText(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((login) => login.replace(/^@/, "")).filter(Boolean))];
}

export const manualTeamInput = z.object({
  name: z.string().trim().min(1, "enter a name").max(100, "at most 100 characters"),
  members: z
    .string()
    .max(30_000, "too long")
    .transform(loginsFromText)
    .pipe(
      z
        .array(z.string().regex(LOGIN, "is not a GitHub login"))
        .min(1, "name at least one GitHub login")
        .max(MAX_TEAM_MEMBERS, `at most ${MAX_TEAM_MEMBERS} people`),
    ),
});

export type ManualTeamResult =
  | { ok: true; teamId: string }
  | { ok: false; code: "INVALID_INPUT"; fieldErrors: Record<string, string> }
  | { ok: false; code: "FORBIDDEN" }
  | { ok: false; code: "TEAM_NOT_FOUND" };

/** Manual slugs live under "manual/": GitHub's own slugs never hold a "/", so a synced team can never take one. */
export function manualTeamSlug(name: string): string {
  const base = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `manual/${base || "team"}`;
}

/** The logins among `logins` the organisation does not know (GitHub members, commit or pull-request authors). */
export async function unknownLogins(db: Executor, orgId: string, logins: readonly string[]): Promise<string[]> {
  if (logins.length === 0) return [];
  const rows = await db.execute<{ login: string }>(sql`
    select l.login from unnest(array[${sql.join(
      logins.map((login) => sql`${login}`),
      sql`, `,
    )}]::text[]) as l(login)
    where not exists (select 1 from github_org_members m where m.org_id = ${orgId} and m.login = l.login)
      and not exists (select 1 from commits c where c.org_id = ${orgId} and c.author_login = l.login)
      and not exists (select 1 from pull_requests p where p.org_id = ${orgId} and p.author_login = l.login)`);
  const unknown = new Set(rows.map((row) => row.login));
  return logins.filter((login) => unknown.has(login));
}

function describeUnknown(logins: readonly string[]): string {
  const named = logins.slice(0, 5).join(", ");
  const more = logins.length > 5 ? ` and ${logins.length - 5} more` : "";
  return `${logins.length === 1 ? "unknown GitHub login" : "unknown GitHub logins"}: ${named}${more} (not a member of the GitHub organisation, nor an author of its commits or pull requests)`;
}

const mayManage = (role: MemberRole) => role === "owner" || role === "admin";

async function validated(db: Executor, orgId: string, input: unknown, teamId: string | null) {
  const parsed = manualTeamInput.safeParse(input);
  if (!parsed.success) return { ok: false as const, fieldErrors: fieldErrorsOf(parsed.error, "members") };
  const fieldErrors: Record<string, string> = {};
  const unknown = await unknownLogins(db, orgId, parsed.data.members);
  if (unknown.length > 0) fieldErrors.members = describeUnknown(unknown);
  const slug = manualTeamSlug(parsed.data.name);
  const [taken] = await db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.orgId, orgId), eq(teams.slug, slug)));
  if (taken && taken.id !== teamId) fieldErrors.name = "another manual team has this name";
  if (Object.keys(fieldErrors).length > 0) return { ok: false as const, fieldErrors };
  return { ok: true as const, name: parsed.data.name, slug, members: parsed.data.members };
}

async function replaceMembers(tx: Executor, orgId: string, teamId: string, members: readonly string[]) {
  await tx.delete(teamMembers).where(and(eq(teamMembers.orgId, orgId), eq(teamMembers.teamId, teamId)));
  await tx.insert(teamMembers).values(members.map((login) => ({ teamId, orgId, login, source: "manual" as const })));
}

/** Creates a manual team; nothing is saved unless the name and every login are valid. */
export async function createManualTeam(db: Database, actor: { orgId: string; role: MemberRole }, input: unknown, now: Date): Promise<ManualTeamResult> {
  if (!mayManage(actor.role)) return { ok: false, code: "FORBIDDEN" };
  const checked = await validated(db, actor.orgId, input, null);
  if (!checked.ok) return { ok: false, code: "INVALID_INPUT", fieldErrors: checked.fieldErrors };
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(teams)
      .values({ orgId: actor.orgId, slug: checked.slug, name: checked.name, source: "manual", createdAt: now, updatedAt: now })
      .onConflictDoNothing()
      .returning({ id: teams.id });
    // Two admins creating the same name at once: the second gets the field error, not a 500.
    if (!row) return { ok: false, code: "INVALID_INPUT", fieldErrors: { name: "another manual team has this name" } };
    await replaceMembers(tx, actor.orgId, row.id, checked.members);
    return { ok: true, teamId: row.id };
  });
}

/** Renames a manual team and replaces its people. A GitHub team, or another organisation's, is TEAM_NOT_FOUND. */
export async function updateManualTeam(db: Database, actor: { orgId: string; role: MemberRole }, teamId: string, input: unknown, now: Date): Promise<ManualTeamResult> {
  if (!mayManage(actor.role)) return { ok: false, code: "FORBIDDEN" };
  if (!(await findManualTeam(db, actor.orgId, teamId))) return { ok: false, code: "TEAM_NOT_FOUND" };
  const checked = await validated(db, actor.orgId, input, teamId);
  if (!checked.ok) return { ok: false, code: "INVALID_INPUT", fieldErrors: checked.fieldErrors };
  return db.transaction(async (tx) => {
    await tx
      .update(teams)
      .set({ name: checked.name, slug: checked.slug, updatedAt: now })
      .where(and(eq(teams.orgId, actor.orgId), eq(teams.id, teamId)));
    await replaceMembers(tx, actor.orgId, teamId, checked.members);
    return { ok: true, teamId };
  });
}

export async function deleteManualTeam(db: Database, actor: { orgId: string; role: MemberRole }, teamId: string): Promise<ManualTeamResult> {
  if (!mayManage(actor.role)) return { ok: false, code: "FORBIDDEN" };
  const deleted = await db
    .delete(teams)
    .where(and(eq(teams.orgId, actor.orgId), eq(teams.id, teamId), eq(teams.source, "manual")))
    .returning({ id: teams.id });
  return deleted.length > 0 ? { ok: true, teamId } : { ok: false, code: "TEAM_NOT_FOUND" };
}

async function findManualTeam(db: Executor, orgId: string, teamId: string): Promise<boolean> {
  if (!z.string().uuid().safeParse(teamId).success) return false;
  const [row] = await db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.orgId, orgId), eq(teams.id, teamId), eq(teams.source, "manual")));
  return row !== undefined;
}
