/**
 * The weekly digest's jobs (issue 18, item 5; ADR 077). On `scheduled-jobs`: the hourly tick that picks the
 * organisations whose local time is Monday 08:00–08:59 and queues one `send-weekly-digest` per organisation and week.
 * On `notifications`: that job, which sends once per channel (application/digest/deliver-digest.ts).
 */
import type { JobQueue } from "../domain/ports.ts";
import type { Env } from "../infrastructure/config/env.ts";
import type { Database } from "../infrastructure/db/client.ts";
import { createDigestSender, type DigestSender } from "../infrastructure/notify/digest-messages.ts";
import { notifierOptionsFromEnv } from "../infrastructure/notify/notifier.ts";
import { sendWeeklyDigest } from "../application/digest/deliver-digest.ts";
import { DIGEST_JOB_RETRY, enqueueDueDigests } from "../application/digest/tick.ts";
import { JOB_CATALOG, SEND_WEEKLY_DIGEST_JOB, SEND_WEEKLY_DIGEST_TICK } from "../application/job-catalog.ts";
import { defineJob } from "./router.ts";

export interface DigestJobDeps {
  db: Database;
  queue: JobQueue;
  env: Env;
  now: () => Date;
  /** Tests point the sender at local fakes; default: built from the environment, like the alert notifier. */
  sender?: DigestSender;
  retry?: typeof DIGEST_JOB_RETRY;
}

export function createDigestJobs(deps: DigestJobDeps) {
  const sender = deps.sender ?? createDigestSender({ ...notifierOptionsFromEnv(deps.env), publicUrl: deps.env.PUBLIC_URL });
  const retry = deps.retry ?? DIGEST_JOB_RETRY;
  return {
    scheduled: {
      [SEND_WEEKLY_DIGEST_TICK]: defineJob({
        schema: JOB_CATALOG[SEND_WEEKLY_DIGEST_TICK].payload,
        run: () => enqueueDueDigests(deps.db, deps.queue, deps.now(), retry),
      }),
    },
    notifications: {
      [SEND_WEEKLY_DIGEST_JOB]: defineJob({
        schema: JOB_CATALOG[SEND_WEEKLY_DIGEST_JOB].payload,
        run: (data, job) => sendWeeklyDigest({ db: deps.db, sender, now: deps.now, secretKey: deps.env.SENTINEL_SECRET_KEY, maxAttempts: retry.attempts }, data, job),
      }),
    },
  };
}
