import { z } from "zod";
import { digestAsText } from "../../domain/digest/digest.ts";
import { localClock, weekStartOf } from "../../domain/metrics/time.ts";
import { sendWeeklyDigest } from "../../application/digest/deliver-digest.ts";
import { buildOrganizationDigest } from "../../application/digest/load-digest.ts";
import { createDigestSender, digestLinkUrl } from "../../infrastructure/notify/digest-messages.ts";
import { notifierOptionsFromEnv } from "../../infrastructure/notify/notifier.ts";
import { defineCommand } from "../define-command.ts";
import { localDateOption, noPositionals } from "../options.ts";

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
