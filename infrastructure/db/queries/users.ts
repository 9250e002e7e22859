import { and, asc, eq, isNull } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { organizationMembers, organizations, users } from "../schema/index.ts";
import type { MemberRole } from "../../../domain/access/roles.ts";

export interface Membership {
  orgId: string;
  slug: string;
  name: string;
  role: MemberRole;
  isDemo: boolean;
}

export interface UserWithMemberships {
  id: string;
  login: string;
  name: string | null;
  avatarUrl: string | null;
  memberships: Membership[];
}

export async function findUserWithMemberships(db: Executor, userId: string): Promise<UserWithMemberships | null> {
  const [user] = await db
    .select({ id: users.id, login: users.login, name: users.name, avatarUrl: users.avatarUrl })
    .from(users)
    .where(eq(users.id, userId));
  if (!user) return null;
  const memberships = await db
    .select({
      orgId: organizations.id,
      slug: organizations.slug,
      name: organizations.name,
      role: organizationMembers.role,
      isDemo: organizations.isDemo,
    })
    .from(organizationMembers)
    .innerJoin(organizations, eq(organizations.id, organizationMembers.orgId))
    .where(eq(organizationMembers.userId, userId))
    .orderBy(asc(organizations.name));
  return { ...user, memberships };
}

export const LOCAL_DEMO_LOGIN = "demo";

/**
 * The local "Continue as demo user" account (never available in production): one user without a GitHub id,
 * made a member of every demo organisation so a newcomer sees the seeded data.
 */
export async function ensureLocalDemoUser(db: Executor): Promise<string> {
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.login, LOCAL_DEMO_LOGIN), isNull(users.githubId)));
    const userId =
      existing?.id ??
      (
        await tx
          .insert(users)
          .values({ login: LOCAL_DEMO_LOGIN, name: "Demo user" })
          .returning({ id: users.id })
      )[0]!.id;
    const demoOrgs = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.isDemo, true));
    if (demoOrgs.length > 0) {
      await tx
        .insert(organizationMembers)
        .values(demoOrgs.map((org) => ({ orgId: org.id, userId, role: "owner" as const })))
        .onConflictDoNothing();
    }
    await tx.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, userId));
    return userId;
  });
}
