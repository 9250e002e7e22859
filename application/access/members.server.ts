import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Database, Executor } from "../../infrastructure/db/client.ts";
import { organizationMemberRemovals, organizationMembers, users } from "../../infrastructure/db/schema/index.ts";
import { MEMBER_ROLES, type MemberRole } from "../../domain/access/roles.ts";
import { fieldErrorsOf } from "../../domain/field-errors.ts";

export type { MemberRole };

export interface MemberView {
  userId: string;
  login: string;
  name: string | null;
  avatarUrl: string | null;
  role: MemberRole;
  /** False for the local demo user: it has no GitHub account and joins every demo organisation. */
  viaGitHub: boolean;
  joinedAt: string;
  lastLoginAt: string | null;
}

export interface RemovedMemberView {
  userId: string;
  login: string;
  name: string | null;
  removedAt: string;
  removedByLogin: string | null;
}

export async function listMembers(db: Executor, orgId: string): Promise<{ members: MemberView[]; removed: RemovedMemberView[] }> {
  const members = await db
    .select({
      userId: users.id,
      login: users.login,
      name: users.name,
      avatarUrl: users.avatarUrl,
      githubId: users.githubId,
      role: organizationMembers.role,
      joinedAt: organizationMembers.createdAt,
      lastLoginAt: users.lastLoginAt,
    })
    .from(organizationMembers)
    .innerJoin(users, eq(users.id, organizationMembers.userId))
    .where(eq(organizationMembers.orgId, orgId))
    .orderBy(sql`case ${organizationMembers.role} when 'owner' then 0 when 'admin' then 1 else 2 end`, asc(users.login));
  const remover = alias(users, "remover");
  const removed = await db
    .select({ userId: users.id, login: users.login, name: users.name, removedAt: organizationMemberRemovals.removedAt, removedByLogin: remover.login })
    .from(organizationMemberRemovals)
    .innerJoin(users, eq(users.id, organizationMemberRemovals.userId))
    .leftJoin(remover, eq(remover.id, organizationMemberRemovals.removedBy))
    .where(eq(organizationMemberRemovals.orgId, orgId))
    .orderBy(desc(organizationMemberRemovals.removedAt));
  return {
    members: members.map(({ githubId, ...member }) => ({
      ...member,
      viaGitHub: githubId !== null,
      joinedAt: member.joinedAt.toISOString(),
      lastLoginAt: member.lastLoginAt?.toISOString() ?? null,
    })),
    removed: removed.map((row) => ({ ...row, removedAt: row.removedAt.toISOString() })),
  };
}

const memberId = z.string().uuid("choose a member");
export const changeRoleInput = z.object({
  userId: memberId,
  role: z.enum(MEMBER_ROLES, { message: "choose owner, admin or member" }),
});
export const memberInput = z.object({ userId: memberId });

export type MemberChangeResult =
  | { ok: true }
  | { ok: false; code: "INVALID_INPUT"; fieldErrors: Record<string, string> }
  /** Unknown id, not a member of this organisation, or another organisation's member: all look alike. */
  | { ok: false; code: "MEMBER_NOT_FOUND" }
  | { ok: false; code: "FORBIDDEN"; message: string }
  | { ok: false; code: "LAST_OWNER"; message: string };

/** The person making the change; their role is read again inside the transaction, never trusted from the request. */
export interface Actor {
  userId: string;
}

function invalid(error: z.ZodError): MemberChangeResult {
  return { ok: false, code: "INVALID_INPUT", fieldErrors: fieldErrorsOf(error, "form") };
}

/**
 * Every membership change of one organisation takes the organisation row's lock first, so two owners demoting each
 * other at the same moment are serialised and the second one sees that only one owner is left.
 */
async function lockMembership(tx: Executor, orgId: string, actor: Actor, targetId: string) {
  await tx.execute(sql`select id from organizations where id = ${orgId} for update`);
  const rows = await tx
    .select({ userId: organizationMembers.userId, role: organizationMembers.role })
    .from(organizationMembers)
    .where(and(eq(organizationMembers.orgId, orgId), inArray(organizationMembers.userId, [actor.userId, targetId])));
  const owners = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(organizationMembers)
    .where(and(eq(organizationMembers.orgId, orgId), eq(organizationMembers.role, "owner")));
  return {
    actorRole: rows.find((row) => row.userId === actor.userId)?.role ?? null,
    target: rows.find((row) => row.userId === targetId) ?? null,
    owners: owners[0]!.n,
  };
}

function forbiddenFor(actorRole: MemberRole | null, targetRole: MemberRole, newRole: MemberRole | null): string | null {
  if (actorRole !== "owner" && actorRole !== "admin") return "Only owners and admins manage members.";
  // Owners are made and unmade by owners only: an admin cannot take the organisation over or lock its owners out.
  if (actorRole === "admin" && (targetRole === "owner" || newRole === "owner")) return "Only an owner can make someone owner or change an owner.";
  return null;
}

function lastOwnerMessage(login: string, doing: string): string {
  return `${login} is the organisation's last owner and cannot be ${doing}: make someone else owner first.`;
}

export async function changeMemberRole(db: Database, orgId: string, actor: Actor, input: unknown): Promise<MemberChangeResult> {
  const parsed = changeRoleInput.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const { userId, role } = parsed.data;
  return db.transaction(async (tx) => {
    const { actorRole, target, owners } = await lockMembership(tx, orgId, actor, userId);
    if (!target) return { ok: false, code: "MEMBER_NOT_FOUND" } as const;
    const forbidden = forbiddenFor(actorRole, target.role, role);
    if (forbidden) return { ok: false, code: "FORBIDDEN", message: forbidden } as const;
    if (target.role === role) return { ok: true } as const;
    if (target.role === "owner" && owners <= 1) {
      const [user] = await tx.select({ login: users.login }).from(users).where(eq(users.id, userId));
      return { ok: false, code: "LAST_OWNER", message: lastOwnerMessage(user!.login, "demoted") } as const;
    }
    await tx.update(organizationMembers).set({ role }).where(and(eq(organizationMembers.orgId, orgId), eq(organizationMembers.userId, userId)));
    return { ok: true } as const;
  });
}

/**
 * Removes the membership and records the removal, so the person's next GitHub sign-in does not add them back
 * through their GitHub organisation membership (see upsertGitHubUser).
 */
export async function removeMember(db: Database, orgId: string, actor: Actor, input: unknown, now: Date): Promise<MemberChangeResult> {
  const parsed = memberInput.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const { userId } = parsed.data;
  return db.transaction(async (tx) => {
    const { actorRole, target, owners } = await lockMembership(tx, orgId, actor, userId);
    if (!target) return { ok: false, code: "MEMBER_NOT_FOUND" } as const;
    const forbidden = forbiddenFor(actorRole, target.role, null);
    if (forbidden) return { ok: false, code: "FORBIDDEN", message: forbidden } as const;
    if (target.role === "owner" && owners <= 1) {
      const [user] = await tx.select({ login: users.login }).from(users).where(eq(users.id, userId));
      return { ok: false, code: "LAST_OWNER", message: lastOwnerMessage(user!.login, "removed") } as const;
    }
    await tx.delete(organizationMembers).where(and(eq(organizationMembers.orgId, orgId), eq(organizationMembers.userId, userId)));
    await tx
      .insert(organizationMemberRemovals)
      .values({ orgId, userId, removedBy: actor.userId, removedAt: now })
      .onConflictDoUpdate({ target: [organizationMemberRemovals.orgId, organizationMemberRemovals.userId], set: { removedBy: actor.userId, removedAt: now } });
    return { ok: true } as const;
  });
}

/** Takes a removed person back as a member at once (the removal record goes). */
export async function restoreMember(db: Database, orgId: string, actor: Actor, input: unknown): Promise<MemberChangeResult> {
  const parsed = memberInput.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const { userId } = parsed.data;
  return db.transaction(async (tx) => {
    const { actorRole } = await lockMembership(tx, orgId, actor, userId);
    const forbidden = forbiddenFor(actorRole, "member", "member");
    if (forbidden) return { ok: false, code: "FORBIDDEN", message: forbidden } as const;
    const deleted = await tx
      .delete(organizationMemberRemovals)
      .where(and(eq(organizationMemberRemovals.orgId, orgId), eq(organizationMemberRemovals.userId, userId)))
      .returning({ userId: organizationMemberRemovals.userId });
    if (deleted.length === 0) return { ok: false, code: "MEMBER_NOT_FOUND" } as const;
    await tx.insert(organizationMembers).values({ orgId, userId, role: "member" }).onConflictDoNothing();
    return { ok: true } as const;
  });
}
