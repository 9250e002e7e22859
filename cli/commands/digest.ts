import { sql } from "drizzle-orm";
import { z } from "zod";
import { digestAsText } from "../../domain/digest/digest.ts";
import { localClock, weekStartOf } from "../../domain/metrics/time.ts";
import { DIGEST_KINDS_SQL, sendWeeklyDigest } from "../../application/digest/deliver-digest.ts";
import { buildOrganizationDigest } from "../../application/digest/load-digest.ts";
import type { Database } from "../../infrastructure/db/client.ts";
import { createDigestSender, digestLinkUrl } from "../../infrastructure/notify/digest-messages.ts";
import { notifierOptionsFromEnv } from "../../infrastructure/notify/notifier.ts";
import { defineCommand } from "../define-command.ts";
import { localDateOption, noPositionals } from "../options.ts";

/**
 * The opted-in channels still waiting for the week that this process could not send to for lack of credentials: email
 * without RESEND_API_KEY and ALERT_EMAIL_FROM, a Slack channel id without SLACK_BOT_TOKEN (an incoming-webhook URL
 * needs none).
 */
async function channelsWithoutCredentials(
  db: Database,
  orgId: string,
  weekStart: string,
  env: { RESEND_API_KEY?: string | undefined; ALERT_EMAIL_FROM?: string | undefined; SLACK_BOT_TOKEN?: string | undefined },
): Promise<{ kind: string; name: string; missing: string }[]> {
  const rows = await db.execute<{ kind: string; name: string; slack_channel_id: boolean }>(sql`
    select c.kind, c.name, (c.config ? 'channelId') as slack_channel_id from notification_channels c
    where c.org_id = ${orgId} and c.enabled and c.weekly_digest and c.kind in (${DIGEST_KINDS_SQL})
      and not exists (select 1 from digest_deliveries d where d.channel_id = c.id and d.week_start = ${weekStart}::date and d.status <> 'pending')
    order by c.name`);
  return rows.flatMap((row) => {
    if (row.kind === "email" && !(env.RESEND_API_KEY && env.ALERT_EMAIL_FROM)) return [{ kind: row.kind, name: row.name, missing: "RESEND_API_KEY and ALERT_EMAIL_FROM are not set" }];
    if (row.kind === "slack" && row.slack_channel_id && !env.SLACK_BOT_TOKEN) return [{ kind: row.kind, name: row.name, missing: "SLACK_BOT_TOKEN is not set" }];
    return [];
  });
}

const USAGE = "sentinel digest --org <slug> [--week YYYY-MM-DD] [--send]";

const optionsSchema = z.object({
  org: z.string({ message: "--org is required: the organisation's slug" }).regex(/^[a-z0-9][a-z0-9-]*$/, "--org must be a slug: lower-case letters, digits and '-'"),
  week: localDateOption("--week")
    .refine((date) => {
      try {
        return weekStartOf(date) === date;
      } catch {
        return false;
      }
    }, "--week must be a Monday, the first day of the week (YYYY-MM-DD)")
    .optional(),
  send: z.boolean().default(false),
});

export const digestCommand = defineCommand({
  name: "digest",
  summary: "Print an organisation's weekly digest, or send it to its opted-in channels",
  usage: [
    `Usage: ${USAGE}`,
    "",
    "Prints the weekly digest an organisation's opted-in Slack and email channels get on Monday morning (a dry run:",
    "nothing is sent). With --send it is sent as the Monday job sends it: once per channel and week, so a channel",
    "that already has this week's digest gets nothing.",
    "",
    "Options:",
    "  --org <slug>        the organisation",
    "  --week YYYY-MM-DD   the Monday of the week (default: the last complete week in the organisation's zone)",
    "  --send              send it instead of printing it",
  ].join("\n"),
  flags: { org: { type: "string" }, week: { type: "string" }, send: { type: "boolean" } },
  positionals: noPositionals(USAGE),
  options: optionsSchema,
  database: { migrate: false },
  async run(options, io, services) {
    const now = (io.clock ?? services.clock).now();
    const built = await buildOrganizationDigest(services.db, { slug: options.org }, { now, ...(options.week ? { weekStart: options.week } : {}) });
    if (!built.ok) {
      io.stderr.write(`sentinel digest: no organisation with the slug "${options.org}"\n`);
      return 1;
    }
    const { digest, organization } = built;
    if (!options.send) {
      io.stdout.write(`${digestAsText(digest, (link) => digestLinkUrl(services.env.PUBLIC_URL, link))}\n`);
      return 0;
    }
    // A week still running would be recorded as sent, and its Monday digest would then never go out.
    if (digest.week.end >= localClock(now, organization.timeZone).date) {
      io.stderr.write(`sentinel digest: the week of ${digest.week.start} has not ended yet in ${organization.timeZone}; only a complete week can be sent\n`);
      return 1;
    }
    // A channel this process has no credentials for would be recorded as failed for the week, and the Monday job
    // (which may well have them) would then skip it: refuse before writing anything.
    const unreachable = await channelsWithoutCredentials(services.db, organization.id, digest.week.start, services.env);
    if (unreachable.length > 0) {
      const names = unreachable.map((channel) => `${channel.kind} channel "${channel.name}" (${channel.missing})`).join(", ");
      io.stderr.write(`sentinel digest: cannot send to ${names}; set the missing variables, or leave the digest to the Monday job\n`);
      return 1;
    }
    // Never "the last attempt": a channel that does not answer stays pending for the Monday job or another run.
    const sender = createDigestSender({ ...notifierOptionsFromEnv(services.env), publicUrl: services.env.PUBLIC_URL });
    try {
      const result = await sendWeeklyDigest(
        { db: services.db, sender, now: () => now, secretKey: services.env.SENTINEL_SECRET_KEY, maxAttempts: Number.POSITIVE_INFINITY },
        { orgId: organization.id, weekStart: digest.week.start },
        { attemptsMade: 0 },
      );
      if (result.channels.length === 0) io.stdout.write(`No channel is waiting for the digest of the week of ${digest.week.start} (none opted in, or all already have it).\n`);
      for (const channel of result.channels) io.stdout.write(`channel ${channel.channelId}: ${channel.status}${channel.error ? ` (${channel.error})` : ""}\n`);
      return result.channels.some((channel) => channel.status === "failed") ? 1 : 0;
    } catch (error) {
      io.stderr.write(`sentinel digest: not every channel could be reached, try again later: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  },
});
