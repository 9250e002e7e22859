import type { JobQueue } from "../domain/ports.ts";
import type { Database } from "../infrastructure/db/client.ts";
import { resolveGitHubApi, type GitHubApiSource } from "../infrastructure/github/api-source.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";
import { organizationsWithGitHubTeams, syncGitHubTeams } from "../application/teams/sync-github-teams.ts";
import { JOB_CATALOG, SYNC_GITHUB_TEAMS_JOB, SYNC_GITHUB_TEAMS_TICK } from "../application/job-catalog.ts";
import { defineJob } from "./router.ts";

/** Team edits arrive in bursts (a new team and its ten members are eleven deliveries): one sync per window. */
export const TEAMS_SYNC_WINDOW_MS = 5 * 60_000;

/**
 * Queues a sync of the organisation's GitHub teams after a membership/team/organization webhook: one job per
 * organisation and 5-minute window, run when the window closes, so the deliveries of one burst make one sync and
 * the sync reads GitHub after the burst.
 */
export async function enqueueTeamsSyncAfterWebhook(queue: JobQueue, orgId: string, now: Date): Promise<void> {
  const window = Math.floor(now.getTime() / TEAMS_SYNC_WINDOW_MS);
  const delayMs = (window + 1) * TEAMS_SYNC_WINDOW_MS - now.getTime();
  await queue.enqueue(JOB_CATALOG[SYNC_GITHUB_TEAMS_JOB].queue, SYNC_GITHUB_TEAMS_JOB, { orgId }, { jobId: JOB_CATALOG[SYNC_GITHUB_TEAMS_JOB].id(orgId, `w${window}`), delayMs });
}

export function createTeamsJobs(deps: { db: Database; queue: JobQueue; logger: Logger; github: GitHubApiSource; now: () => Date }) {
  return {
    // Daily: one sync per organisation and UTC day (a second tick the same day, from another worker, is a no-op).
    [SYNC_GITHUB_TEAMS_TICK]: defineJob({
      schema: JOB_CATALOG[SYNC_GITHUB_TEAMS_TICK].payload,
      async run() {
        const day = deps.now().toISOString().slice(0, 10);
        const orgIds = await organizationsWithGitHubTeams(deps.db);
        for (const orgId of orgIds) {
          await deps.queue.enqueue(JOB_CATALOG[SYNC_GITHUB_TEAMS_JOB].queue, SYNC_GITHUB_TEAMS_JOB, { orgId }, { jobId: JOB_CATALOG[SYNC_GITHUB_TEAMS_JOB].id(orgId, day) });
        }
        return { organizations: orgIds.length };
      },
    }),
    [SYNC_GITHUB_TEAMS_JOB]: defineJob({
      schema: JOB_CATALOG[SYNC_GITHUB_TEAMS_JOB].payload,
      async run({ orgId }) {
        const github = await resolveGitHubApi(deps.github);
        const result = await syncGitHubTeams({ db: deps.db, github, logger: deps.logger, now: deps.now }, orgId);
        return result.status;
      },
    }),
  };
}
