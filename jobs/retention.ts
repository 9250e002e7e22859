/**
 * The daily retention pass (issue 16, ADR 072): repositories removed from Sentinel (or from an uninstalled App) longer
 * than SENTINEL_PURGE_AFTER_DAYS ago are deleted, raw webhook payloads older than SENTINEL_PAYLOAD_RETENTION_DAYS are
 * dropped, and patches older than line survival reads are emptied. One worker at a time (a Redis lock); a pass the
 * lock loses midway stops after its batch and the next day's continues.
 */
import type { DistributedLock } from "../domain/ports.ts";
import type { Env } from "../infrastructure/config/env.ts";
import type { Database } from "../infrastructure/db/client.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";
import { applyRetention } from "../application/operations/purge.ts";
import { withLock } from "../infrastructure/queue/with-lock.ts";
import { JOB_CATALOG, RETENTION_JOB } from "../application/job-catalog.ts";
import { defineJob } from "./router.ts";

export { RETENTION_JOB };

export interface RetentionJobDeps {
  db: Database;
  lock: DistributedLock;
  logger: Logger;
  env: Pick<Env, "SENTINEL_PURGE_AFTER_DAYS" | "SENTINEL_PAYLOAD_RETENTION_DAYS" | "SENTINEL_PATCH_RETENTION_DAYS">;
  now: () => Date;
}

export function createRetentionJobs(deps: RetentionJobDeps) {
  const logger = deps.logger.child({ component: "retention" });
  return {
    [RETENTION_JOB]: defineJob({
      schema: JOB_CATALOG[RETENTION_JOB].payload,
      async run() {
        const outcome = await withLock(deps.lock, "retention", 60_000, ({ signal }) =>
          applyRetention(
            deps.db,
            deps.now(),
            {
              purgeAfterDays: deps.env.SENTINEL_PURGE_AFTER_DAYS,
              payloadRetentionDays: deps.env.SENTINEL_PAYLOAD_RETENTION_DAYS,
              patchRetentionDays: deps.env.SENTINEL_PATCH_RETENTION_DAYS,
            },
            { signal },
          ),
        );
        if (!outcome.ran) return { status: "skipped", reason: "another worker is applying retention" };
        const result = outcome.value;
        if (result.repositoriesPurged.length + result.payloadsDropped + result.patchesEmptied + result.detectionInputsDropped > 0) {
          logger.info(
            { ...result },
            `retention: purged ${result.repositoriesPurged.length} removed repository(ies)` +
              (result.repositoriesPurged.length > 0 ? ` (${result.repositoriesPurged.join(", ")})` : "") +
              `, dropped ${result.payloadsDropped} webhook payload(s), emptied ${result.patchesEmptied} patch(es) past survival` +
              (result.repositoriesPending.length > 0 ? `; ${result.repositoriesPending.join(", ")} continues next run` : ""),
          );
        }
        return { status: "applied", ...result };
      },
    }),
  };
}
