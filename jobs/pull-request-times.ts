/**
 * The pull-request comparison's histograms (ADR 084): every minute, the pull requests the triggers queued are folded
 * into their days, organisation by organisation (one folder per organisation at a time, an advisory lock in
 * PostgreSQL). A run stops after 40 s and leaves the rest to the next one; readers add whatever is still queued.
 */
import type { Database } from "../infrastructure/db/client.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";
import { foldAllPullRequestTimes } from "../application/pull-requests/pull-request-times.ts";
import { FOLD_PULL_REQUEST_TIMES_JOB, JOB_CATALOG } from "../application/job-catalog.ts";
import { defineJob } from "./router.ts";

/** Less than the one-minute schedule, so runs do not pile up behind each other. */
const FOLD_BUDGET_MS = 40_000;

export function createPullRequestTimesJobs(deps: { db: Database; logger: Logger }) {
  const logger = deps.logger.child({ component: "pull-request-times" });
  return {
    [FOLD_PULL_REQUEST_TIMES_JOB]: defineJob({
      schema: JOB_CATALOG[FOLD_PULL_REQUEST_TIMES_JOB].payload,
      async run() {
        const result = await foldAllPullRequestTimes(deps.db, { budgetMs: FOLD_BUDGET_MS });
        const message = `pull-request times: folded ${result.folded} queued pull request(s) of ${result.organisations} organisation(s)`;
        if (result.remaining) logger.info(result, `${message}; the rest continues next minute`);
        else if (result.folded > 0) logger.debug(result, message);
        return { status: "folded", ...result };
      },
    }),
  };
}
