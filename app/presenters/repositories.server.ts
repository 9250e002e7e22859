import { and, asc, eq, isNull } from "drizzle-orm";
import type { Executor } from "../../infrastructure/db/client.ts";
import { repositories } from "../../infrastructure/db/schema/index.ts";

/** Active repositories of the organisation, for filters and forms. */
export async function listRepositoryOptions(db: Executor, orgId: string): Promise<{ id: string; fullName: string }[]> {
  return db
    .select({ id: repositories.id, fullName: repositories.fullName })
    .from(repositories)
    .where(and(eq(repositories.orgId, orgId), isNull(repositories.disabledAt)))
    .orderBy(asc(repositories.fullName));
}
