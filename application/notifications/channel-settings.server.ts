import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { CHANNEL_KINDS } from "../../domain/alerts/channel-kinds.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { notificationChannels } from "../../infrastructure/db/schema/index.ts";
import { parseChannelConfig, validateChannelConfig, type ChannelKind } from "../../infrastructure/notify/channels.ts";
import { holdsSecretInClear, sealChannelSecrets } from "../../infrastructure/notify/secrets.ts";
import type { SsrfOptions } from "../../infrastructure/notify/ssrf.ts";
import { fieldErrorsOf } from "../../domain/field-errors.ts";

/**
 * Settings → Notification channels: list, add, enable/disable and remove an organisation's channels. The
 * kind-specific config is validated by channels.ts (shape, then the SSRF check of a typed-in webhook URL) and its
 * secret fields are sealed by secrets.ts before they are stored, exactly as delivery expects to read them; without
 * SENTINEL_SECRET_KEY a channel with a secret is refused rather than stored in clear.
 */

export interface ChannelView {
  id: string;
  kind: ChannelKind;
  name: string;
  /** Where messages go, without secrets: a Slack channel id, a webhook's host, the addresses, a key's last 4. */
  target: string;
  enabled: boolean;
  /** Opted in to the weekly digest (issue 18); only Slack and email channels can be. */
  weeklyDigest: boolean;
  createdAt: string;
  /** The latest alert delivery to this channel, if any (test messages are not recorded). */
  lastDelivery: { status: "pending" | "sent" | "failed"; at: string; error: string | null } | null;
  /** Set when the stored config can no longer be read (e.g. SENTINEL_SECRET_KEY changed): re-add the channel. */
  problem: string | null;
  /** Set when an older Sentinel stored this channel's secret unencrypted: it still delivers; re-add it to encrypt it. */
  warning: string | null;
}

const SECRET_IN_CLEAR = "its secret was stored unencrypted by an earlier version: remove the channel and add it again to store it encrypted";

function describeTarget(kind: ChannelKind, config: unknown, secretKey: string | undefined): { target: string; problem: string | null } {
  const parsed = parseChannelConfig(kind, config, secretKey);
  if (!parsed.ok) return { target: "—", problem: Object.values(parsed.fieldErrors).join("; ") };
  const channel = parsed.channel;
  switch (channel.kind) {
    case "slack":
      if ("channelId" in channel.config) return { target: `channel ${channel.config.channelId}`, problem: null };
      return { target: `incoming webhook on ${new URL(channel.config.webhookUrl).host}`, problem: null };
    case "email":
      return { target: channel.config.to.join(", "), problem: null };
    case "pagerduty":
      return { target: `routing key ending in ${channel.config.routingKey.slice(-4)}`, problem: null };
  }
}

export async function listChannels(db: Executor, orgId: string, secretKey: string | undefined): Promise<ChannelView[]> {
  const rows = await db
    .select({
      id: notificationChannels.id,
      kind: notificationChannels.kind,
      name: notificationChannels.name,
      config: notificationChannels.config,
      enabled: notificationChannels.enabled,
      weeklyDigest: notificationChannels.weeklyDigest,
      createdAt: notificationChannels.createdAt,
    })
    .from(notificationChannels)
    .where(eq(notificationChannels.orgId, orgId))
    .orderBy(asc(notificationChannels.createdAt));
  const latest = await db.execute<{ channel_id: string; status: "pending" | "sent" | "failed"; at: string; last_error: string | null }>(sql`
    select distinct on (d.channel_id) d.channel_id, d.status, coalesce(d.sent_at, d.updated_at) as at, d.last_error
    from alert_deliveries d join notification_channels c on c.id = d.channel_id
    where c.org_id = ${orgId}
    order by d.channel_id, d.updated_at desc`);
  const byChannel = new Map(latest.map((row) => [row.channel_id, row]));
  return rows.map((row) => {
    const delivery = byChannel.get(row.id);
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      ...describeTarget(row.kind, row.config, secretKey),
      warning: holdsSecretInClear(row.kind, row.config) ? SECRET_IN_CLEAR : null,
      enabled: row.enabled,
      weeklyDigest: row.weeklyDigest,
      createdAt: row.createdAt.toISOString(),
      lastDelivery: delivery ? { status: delivery.status, at: new Date(delivery.at).toISOString(), error: delivery.last_error } : null,
    };
  });
}

export const MAX_CHANNELS = 50;

const channelKind = z.enum(CHANNEL_KINDS, { message: "choose Slack, email or PagerDuty" });
const optionalText = z.string().optional().default("");
const addChannelForm = z.object({
  name: z.string({ message: "name the channel, e.g. #alerts or On-call" }).trim().min(1, "name the channel, e.g. #alerts or On-call").max(100, "keep the name under 100 characters"),
  /** Slack: a channel id (C0123456789) or an incoming-webhook URL. */
  target: optionalText,
  /** Email: addresses separated by commas, spaces or new lines. */
  addresses: optionalText,
  /** PagerDuty: the Events API v2 integration key. */
  routingKey: optionalText,
});
type AddChannelForm = z.infer<typeof addChannelForm>;

/** The form field each kind's config is typed into, so an error lands under the input the person used. */
const FORM_FIELD: Record<ChannelKind, keyof AddChannelForm> = { slack: "target", email: "addresses", pagerduty: "routingKey" };

function configFromForm(kind: ChannelKind, form: Pick<AddChannelForm, "target" | "addresses" | "routingKey">): Record<string, unknown> {
  switch (kind) {
    case "slack": {
      const target = form.target.trim();
      return /^https?:\/\//i.test(target) ? { webhookUrl: target } : { channelId: target };
    }
    case "email":
      return { to: [...new Set(form.addresses.split(/[\s,;]+/).filter(Boolean))] };
    case "pagerduty":
      return { routingKey: form.routingKey.trim() };
  }
}

export type AddChannelResult =
  | { ok: true; id: string }
  | { ok: false; code: "INVALID_INPUT"; kind: ChannelKind | null; fieldErrors: Record<string, string> };

export async function addChannel(
  db: Executor,
  orgId: string,
  input: Record<string, unknown>,
  options: { secretKey: string | undefined; ssrf?: SsrfOptions },
): Promise<AddChannelResult> {
  const kind = channelKind.safeParse(input.kind);
  if (!kind.success) return { ok: false, code: "INVALID_INPUT", kind: null, fieldErrors: { kind: kind.error.issues[0]!.message } };
  const form = addChannelForm.safeParse(input);
  const fieldErrors: Record<string, string> = form.success ? {} : fieldErrorsOf(form.error, "form");
  // The kind's own field is checked even when the name is missing, so one round trip shows every problem.
  const text = (name: keyof AddChannelForm) => (typeof input[name] === "string" ? (input[name] as string) : "");
  const validated = await validateChannelConfig(kind.data, configFromForm(kind.data, { target: text("target"), addresses: text("addresses"), routingKey: text("routingKey") }), options.ssrf);
  if (!validated.ok) fieldErrors[FORM_FIELD[kind.data]] ??= Object.values(validated.fieldErrors)[0] ?? "invalid";
  const sealed = validated.ok ? sealChannelSecrets(validated.channel.kind, validated.channel.config as Record<string, unknown>, options.secretKey) : null;
  if (sealed && !sealed.ok) fieldErrors[FORM_FIELD[kind.data]] ??= sealed.message;
  if (!form.success || !sealed?.ok) return { ok: false, code: "INVALID_INPUT", kind: kind.data, fieldErrors };
  const config = sealed.config;
  const name = form.data.name;
  return db.transaction(async (tx) => {
    // Serialised per organisation, so the cap holds under concurrent adds.
    await tx.execute(sql`select id from organizations where id = ${orgId} for update`);
    const [count] = await tx.select({ n: sql<number>`count(*)::int` }).from(notificationChannels).where(eq(notificationChannels.orgId, orgId));
    if (count!.n >= MAX_CHANNELS) {
      return { ok: false as const, code: "INVALID_INPUT" as const, kind: kind.data, fieldErrors: { name: `at most ${MAX_CHANNELS} channels per organisation` } };
    }
    const [row] = await tx.insert(notificationChannels).values({ orgId, kind: kind.data, name, config }).returning({ id: notificationChannels.id });
    return { ok: true as const, id: row!.id };
  });
}

export type ChannelChangeResult = { ok: true } | { ok: false; code: "CHANNEL_NOT_FOUND" };

/** Removing a channel removes its delivery records too (cascade); alerts themselves stay. */
export async function removeChannel(db: Executor, orgId: string, channelId: string): Promise<ChannelChangeResult> {
  if (!z.string().uuid().safeParse(channelId).success) return { ok: false, code: "CHANNEL_NOT_FOUND" };
  const rows = await db
    .delete(notificationChannels)
    .where(and(eq(notificationChannels.id, channelId), eq(notificationChannels.orgId, orgId)))
    .returning({ id: notificationChannels.id });
  return rows.length === 1 ? { ok: true } : { ok: false, code: "CHANNEL_NOT_FOUND" };
}

/** A disabled channel keeps its settings but gets no new alerts. */
export async function setChannelEnabled(db: Executor, orgId: string, channelId: string, enabled: boolean): Promise<ChannelChangeResult> {
  if (!z.string().uuid().safeParse(channelId).success) return { ok: false, code: "CHANNEL_NOT_FOUND" };
  const rows = await db
    .update(notificationChannels)
    .set({ enabled })
    .where(and(eq(notificationChannels.id, channelId), eq(notificationChannels.orgId, orgId)))
    .returning({ id: notificationChannels.id });
  return rows.length === 1 ? { ok: true } : { ok: false, code: "CHANNEL_NOT_FOUND" };
}

const weeklyDigestForm = z.object({
  channelId: z.string().uuid("unknown channel"),
  weeklyDigest: z.enum(["on", "off"], { message: "choose on or off" }),
});

export type WeeklyDigestChangeResult =
  | { ok: true }
  | { ok: false; code: "CHANNEL_NOT_FOUND" }
  | { ok: false; code: "INVALID_INPUT"; fieldErrors: Record<string, string> };

/**
 * Opts a channel in to the weekly digest or out of it. PagerDuty is refused: it pages whoever is on call, and a
 * weekly summary is nobody's emergency. Another organisation's channel answers like an unknown one.
 */
export async function setChannelWeeklyDigest(db: Executor, orgId: string, input: Record<string, unknown>): Promise<WeeklyDigestChangeResult> {
  const form = weeklyDigestForm.safeParse(input);
  if (!form.success) {
    const errors = fieldErrorsOf(form.error, "form");
    if (errors.channelId) return { ok: false, code: "CHANNEL_NOT_FOUND" };
    return { ok: false, code: "INVALID_INPUT", fieldErrors: errors };
  }
  const [channel] = await db
    .select({ kind: notificationChannels.kind })
    .from(notificationChannels)
    .where(and(eq(notificationChannels.id, form.data.channelId), eq(notificationChannels.orgId, orgId)));
  if (!channel) return { ok: false, code: "CHANNEL_NOT_FOUND" };
  const on = form.data.weeklyDigest === "on";
  if (on && channel.kind === "pagerduty") {
    return { ok: false, code: "INVALID_INPUT", fieldErrors: { weeklyDigest: "PagerDuty channels page whoever is on call: the weekly digest goes to Slack and email channels only" } };
  }
  await db
    .update(notificationChannels)
    .set({ weeklyDigest: on })
    .where(and(eq(notificationChannels.id, form.data.channelId), eq(notificationChannels.orgId, orgId)));
  return { ok: true };
}
