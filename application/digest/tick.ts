import { sql } from "drizzle-orm";
import { isDigestHour, lastCompleteWeek } from "../../domain/digest/digest.ts";
import type { BackoffPolicy, JobQueue } from "../../domain/ports.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { DIGEST_CHANNEL_KINDS } from "../../infrastructure/notify/digest-messages.ts";
import { JOB_CATALOG, SEND_WEEKLY_DIGEST_JOB } from "../job-catalog.ts";
import { storedTimeZone } from "../metrics/targets.ts";

/**
 * The weekly digest's hourly tick (ADR 031's pattern, ADR 077): the organisations whose local time at `now` is Monday
 * 08:00–08:59 and that have at least one enabled Slack or email channel opted in, each with the week its digest covers.
 */
export async function organizationsDueForDigest(db: Executor, now: Date): Promise<{ orgId: string; weekStart: string }[]> {
  const rows = await db.execute<{ id: string; timezone: string }>(sql`
    select o.id, o.timezone from organizations o
    where exists (
      select 1 from notification_channels c
      where c.org_id = o.id and c.enabled and c.weekly_digest and c.kind in (${sql.join(DIGEST_CHANNEL_KINDS.map((kind) => sql`${kind}`), sql`, `)})
    )
    order by o.id`);
  return rows.flatMap((row) => {
    const timeZone = storedTimeZone(row.timezone);
    return isDigestHour(now, timeZone) ? [{ orgId: row.id, weekStart: lastCompleteWeek(now, timeZone).start }] : [];
  });
}

/** Every attempt a digest job gets: 10, exponential from 30 s (about 8.5 hours in all), enough for a channel outage. */
export const DIGEST_JOB_RETRY: { attempts: number; backoff: BackoffPolicy } = { attempts: 10, backoff: { type: "exponential", delayMs: 30_000 } };

/** Queues one digest job per due organisation; the deterministic id makes a repeated tick a no-op. */
export async function enqueueDueDigests(db: Executor, queue: JobQueue, now: Date, retry = DIGEST_JOB_RETRY): Promise<{ due: number; enqueued: number }> {
  const due = await organizationsDueForDigest(db, now);
  let enqueued = 0;
  for (const target of due) {
    const result = await queue.enqueue("notifications", SEND_WEEKLY_DIGEST_JOB, target, { jobId: JOB_CATALOG[SEND_WEEKLY_DIGEST_JOB].id(target.orgId, target.weekStart), ...retry });
    if (result.created) enqueued += 1;
  }
  return { due: due.length, enqueued };
}
