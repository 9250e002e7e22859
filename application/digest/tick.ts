import { sql } from "drizzle-orm";
import { isInDigestWindow, lastCompleteWeek } from "../../domain/digest/digest.ts";
import type { BackoffPolicy, JobQueue } from "../../domain/ports.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { DIGEST_KINDS_SQL } from "./deliver-digest.ts";
import { JOB_CATALOG, SEND_WEEKLY_DIGEST_JOB } from "../job-catalog.ts";
import { storedTimeZone } from "../metrics/targets.ts";

/**
 * The weekly digest's hourly tick (ADR 031's pattern, ADR 077): the organisations whose local time at `now` is in the
 * digest window (Monday from 08:00 for DIGEST_CATCH_UP_HOURS) and that have an enabled Slack or email channel opted
 * in with no delivery of that week yet, each with the week its digest covers. The first tick of the window finds every
 * opted-in channel waiting; a tick missed because no worker ran (a deploy, an outage over Monday morning) is made up
 * by the next one, and once every channel has its row the organisation drops out until next week.
 */
export async function organizationsDueForDigest(db: Executor, now: Date): Promise<{ orgId: string; weekStart: string }[]> {
  const rows = await db.execute<{ id: string; timezone: string }>(sql`
    select o.id, o.timezone from organizations o
    where exists (
      select 1 from notification_channels c
      where c.org_id = o.id and c.enabled and c.weekly_digest and c.kind in (${DIGEST_KINDS_SQL})
    )
    order by o.id`);
  const inWindow = rows.flatMap((row) => {
    const timeZone = storedTimeZone(row.timezone);
    return isInDigestWindow(now, timeZone) ? [{ orgId: row.id, weekStart: lastCompleteWeek(now, timeZone).start }] : [];
  });
  if (inWindow.length === 0) return [];
  const waiting = await db.execute<{ org_id: string }>(sql`
    select distinct c.org_id from notification_channels c
    join (values ${sql.join(inWindow.map((due) => sql`(${due.orgId}::uuid, ${due.weekStart}::date)`), sql`, `)}) as due (org_id, week_start) on due.org_id = c.org_id
    where c.enabled and c.weekly_digest and c.kind in (${DIGEST_KINDS_SQL})
      and not exists (select 1 from digest_deliveries d where d.channel_id = c.id and d.week_start = due.week_start)`);
  const withWaitingChannel = new Set(waiting.map((row) => row.org_id));
  return inWindow.filter((due) => withWaitingChannel.has(due.orgId));
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
