import { and, eq, isNotNull } from "drizzle-orm";
import type { Executor } from "../../infrastructure/db/client.ts";
import { repositories } from "../../infrastructure/db/schema/index.ts";
import type { GitHubAccessError } from "../../infrastructure/github/access-refusal.ts";

/**
 * A repository's last GitHub refusal (`repositories.access_error`): written when a fetch for it is refused for a
 * reason waiting does not fix, shown on its page and on the queues page, and cleared by its next successful fetch.
 */
export async function recordRepositoryAccessError(db: Executor, repository: { orgId: string; repoId: string }, error: GitHubAccessError): Promise<void> {
  await db
    .update(repositories)
    .set({ accessError: error.reason, accessErrorAt: error.at })
    .where(and(eq(repositories.id, repository.repoId), eq(repositories.orgId, repository.orgId)));
}

/** GitHub answered a fetch for the repository: whatever it refused before, it grants now. */
export async function clearRepositoryAccessError(db: Executor, repository: { orgId: string; repoId: string }): Promise<void> {
  await db
    .update(repositories)
    .set({ accessError: null, accessErrorAt: null })
    .where(and(eq(repositories.id, repository.repoId), eq(repositories.orgId, repository.orgId), isNotNull(repositories.accessError)));
}
