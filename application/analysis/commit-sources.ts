import { eq } from "drizzle-orm";
import { z } from "zod";
import type { CommitSource } from "../../domain/ports.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { organizations } from "../../infrastructure/db/schema/index.ts";
import type { CommitSourceResolver } from "./analyze-stored-commit.ts";
import { createDemoCommitSource } from "../../demo/commit-source.ts";

const demoSettingsSchema = z.object({
  seed: z.number().int(),
  anchor: z.string(),
  days: z.number().int().positive(),
});

export class CommitSourceUnavailableError extends Error {
  override name = "CommitSourceUnavailableError";
}

/**
 * Demo repositories read the regenerated demo dataset; GitHub repositories read the GitHub API through the
 * App installation (`github`, when App credentials are configured; a function is asked at each use).
 */
export function createCommitSourceResolver(db: Executor, github: CommitSource | null | (() => Promise<CommitSource | null>)): CommitSourceResolver {
  return async (repository) => {
    if (repository.source === "demo") {
      const [org] = await db
        .select({ settings: organizations.settings })
        .from(organizations)
        .where(eq(organizations.id, repository.orgId));
      const settings = demoSettingsSchema.safeParse(org?.settings?.demo);
      if (!settings.success) throw new CommitSourceUnavailableError("demo organisation has no demo settings");
      return createDemoCommitSource(settings.data);
    }
    if (repository.source === "github") {
      const source = typeof github === "function" ? await github() : github;
      if (source) return source;
    }
    throw new CommitSourceUnavailableError(
      repository.source === "github"
        ? "GitHub App credentials are not configured (register the App on /setup, or set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY)"
        : "commits of locally imported repositories are analysed by `sentinel import`, not by the worker",
    );
  };
}
