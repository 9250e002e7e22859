import { sql } from "drizzle-orm";
import { digestWeekStarting, type Digest } from "../../domain/digest/digest.ts";
import type { Database } from "../../infrastructure/db/client.ts";
import { parseChannelConfig } from "../../infrastructure/notify/channels.ts";
import { DIGEST_CHANNEL_KINDS, type DigestSender } from "../../infrastructure/notify/digest-messages.ts";
import type { DeliveryOutcome } from "../../infrastructure/notify/outcome.ts";
import { PermanentJobError, RetryLaterError } from "../../infrastructure/queue/errors.ts";
import { TransientDeliveryError } from "../alerts/deliver.ts";
import { buildOrganizationDigest } from "./load-digest.ts";

/**
 * Sending one organisation's weekly digest (issue 18, item 5): one job per organisation and week, and per channel a
 * digest_deliveries row (pk channel_id, week_start) that is the send-once record, as alert_deliveries is for alerts.
 *
 * - The rows are created first, for the channels enabled and opted in now (`on conflict do nothing`: a retried or
 *   concurrent job creates none twice).
 * - Each pending row is then claimed with `for update skip locked` in a transaction held across the send: a
 *   concurrent run skips the channel another run is sending to, and a run that finds the row sent or failed does
 *   nothing. The channel is read again under the lock, so one disabled or opted out meanwhile gets nothing.
 * - A channel that fails transiently (5xx, timeout) or is rate limited keeps its pending row and makes the job throw
 *   after every channel was tried: the retry sends to it alone, the channels that succeeded are settled. On the last
 *   attempt it is marked failed. A permanent refusal (4xx, bad configuration) is marked failed at once.
 * A crash during a send rolls the claim back; the retry then looks for the message first (Slack history, Resend's
 * idempotency key), so a digest accepted just before the crash is not sent again.
 */

export interface DigestDeliveryDeps {
  db: Database;
  sender: DigestSender;
  now: () => Date;
  secretKey?: string | undefined;
  /** Attempts the job was enqueued with: on the last one a transient failure marks the delivery failed. */
  maxAttempts: number;
}

export type ChannelDigestResult = { channelId: string; status: "sent" | "already-sent" | "already-failed" | "failed" | "retry" | "skipped" | "busy"; error?: string };

export interface DigestJobResult {
  weekStart: string;
  channels: ChannelDigestResult[];
}

/** The channel kinds that take a digest, as an SQL list: `c.kind in (${DIGEST_KINDS_SQL})`. */
export const DIGEST_KINDS_SQL = sql.join(DIGEST_CHANNEL_KINDS.map((kind) => sql`${kind}`), sql`, `);

/** Creates the pending rows for the channels that take the digest now; returns the ids of every row of the week. */
async function ensureDeliveries(db: Database, orgId: string, weekStart: string): Promise<string[]> {
  await db.execute(sql`
    insert into digest_deliveries (org_id, channel_id, week_start)
    select c.org_id, c.id, ${weekStart}::date from notification_channels c
    where c.org_id = ${orgId} and c.enabled and c.weekly_digest and c.kind in (${DIGEST_KINDS_SQL})
    on conflict (channel_id, week_start) do nothing`);
  const rows = await db.execute<{ channel_id: string }>(sql`
    select channel_id from digest_deliveries where org_id = ${orgId} and week_start = ${weekStart}::date order by channel_id`);
  return rows.map((row) => row.channel_id);
}

type ClaimedRow = {
  status: "pending" | "sent" | "failed";
  attempts: number;
  created_at: string;
  kind: "slack" | "email" | "pagerduty";
  config: Record<string, unknown>;
  enabled: boolean;
  weekly_digest: boolean;
  channel_org_id: string;
};

type ChannelAttempt = ChannelDigestResult & { retryAfterMs?: number };

async function deliverToChannel(deps: DigestDeliveryDeps, orgId: string, channelId: string, digest: Digest, job: { attemptsMade: number }): Promise<ChannelAttempt> {
  const weekStart = digest.week.start;
  return deps.db.transaction(async (tx): Promise<ChannelAttempt> => {
    const [row] = await tx.execute<ClaimedRow>(sql`
      select d.status, d.attempts, d.created_at, c.kind, c.config, c.enabled, c.weekly_digest, c.org_id as channel_org_id
      from digest_deliveries d join notification_channels c on c.id = d.channel_id
      where d.org_id = ${orgId} and d.channel_id = ${channelId} and d.week_start = ${weekStart}::date
      for update of d skip locked`);
    // Locked by a concurrent run (it sends), or removed with its channel.
    if (!row) return { channelId, status: "busy" };
    if (row.status === "sent") return { channelId, status: "already-sent" };
    if (row.status === "failed") return { channelId, status: "already-failed" };
    const at = deps.now();
    const settle = async (status: "sent" | "failed", fields: { externalId?: string | null; error?: string | null }) => {
      await tx.execute(sql`
        update digest_deliveries set status = ${status}, external_id = ${fields.externalId ?? null}, last_error = ${fields.error ?? null},
          sent_at = ${status === "sent" ? at.toISOString() : null}::timestamptz, updated_at = ${at.toISOString()}::timestamptz
        where channel_id = ${channelId} and week_start = ${weekStart}::date`);
    };
    // Tenancy: a row can only name a channel of its organisation (created from it above), checked again all the same.
    if (row.channel_org_id !== orgId) {
      await settle("failed", { error: "channel belongs to another organisation" });
      return { channelId, status: "failed", error: "channel belongs to another organisation" };
    }
    if (!row.enabled || !row.weekly_digest) {
      const error = row.enabled ? "channel opted out of the weekly digest before delivery" : "channel disabled before delivery";
      await settle("failed", { error });
      return { channelId, status: "skipped", error };
    }
    const config = parseChannelConfig(row.kind, row.config, deps.secretKey);
    if (!config.ok) {
      const error = `channel configuration is invalid: ${Object.entries(config.fieldErrors).map(([field, message]) => `${field} ${message}`).join("; ")}`;
      await settle("failed", { error });
      return { channelId, status: "failed", error };
    }
    const outcome: DeliveryOutcome = await deps.sender.send({ id: channelId, ...config.channel }, digest, {
      mayHaveBeenAccepted: row.attempts > 0 || job.attemptsMade > 0,
      since: new Date(row.created_at),
    });
    await tx.execute(sql`update digest_deliveries set attempts = attempts + 1, updated_at = ${at.toISOString()}::timestamptz where channel_id = ${channelId} and week_start = ${weekStart}::date`);
    switch (outcome.kind) {
      case "sent":
        await settle("sent", { externalId: outcome.externalId });
        return { channelId, status: "sent" };
      case "permanent":
        await settle("failed", { error: outcome.error });
        return { channelId, status: "failed", error: outcome.error };
      case "rate-limited":
      case "transient": {
        if (outcome.kind === "transient" && job.attemptsMade + 1 >= deps.maxAttempts) {
          const error = `${outcome.error} (gave up after ${job.attemptsMade + 1} attempts)`;
          await settle("failed", { error });
          return { channelId, status: "failed", error };
        }
        await tx.execute(sql`update digest_deliveries set last_error = ${outcome.error} where channel_id = ${channelId} and week_start = ${weekStart}::date`);
        return { channelId, status: "retry", error: outcome.error, ...(outcome.kind === "rate-limited" ? { retryAfterMs: outcome.retryAfterMs } : {}) };
      }
    }
  });
}

/**
 * The `send-weekly-digest` job. Builds the digest once per run and offers it to every channel of the week; throws
 * RetryLaterError (rate limits: no attempt consumed) or TransientDeliveryError when a channel must be tried again.
 */
export async function sendWeeklyDigest(deps: DigestDeliveryDeps, target: { orgId: string; weekStart: string }, job: { attemptsMade: number }): Promise<DigestJobResult> {
  const week = digestWeekStarting(target.weekStart);
  const channelIds = await ensureDeliveries(deps.db, target.orgId, week.start);
  const pending = await deps.db.execute<{ n: number }>(sql`
    select count(*)::int as n from digest_deliveries where org_id = ${target.orgId} and week_start = ${week.start}::date and status = 'pending'`);
  if (channelIds.length === 0 || pending[0]!.n === 0) return { weekStart: week.start, channels: [] };
  const built = await buildOrganizationDigest(deps.db, { id: target.orgId }, { now: deps.now(), weekStart: week.start });
  if (!built.ok) throw new PermanentJobError(`organisation ${target.orgId} no longer exists`);
  const results: ChannelAttempt[] = [];
  for (const channelId of channelIds) results.push(await deliverToChannel(deps, target.orgId, channelId, built.digest, job));
  const retry = results.filter((result) => result.status === "retry");
  if (retry.length > 0) {
    const waits = retry.flatMap((result) => (result.retryAfterMs === undefined ? [] : [result.retryAfterMs]));
    const summary = retry.map((result) => `${result.channelId}: ${result.error}`).join("; ");
    // Only rate limits: wait as told without spending an attempt. Any 5xx or timeout: the job's backoff.
    if (waits.length === retry.length) throw new RetryLaterError(Math.max(...waits), summary);
    throw new TransientDeliveryError(summary);
  }
  return { weekStart: week.start, channels: results.map(({ retryAfterMs: _wait, ...result }) => result) };
}
