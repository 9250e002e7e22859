import { sql } from "drizzle-orm";
import { z } from "zod";
import { alertReason } from "../../domain/alerts/reason.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { isoTime, isoTimeOrNull, pageLimit, repoFilter } from "./list-query.ts";

export const ALERT_SEVERITIES = ["info", "warning", "critical"] as const;

export const alertListQuery = z.object({
  status: z.enum(["open", "acknowledged", "all"], { message: "status is open, acknowledged or all" }).default("all"),
  severity: z.enum(ALERT_SEVERITIES, { message: "severity is info, warning or critical" }).optional(),
  repo: repoFilter,
  limit: pageLimit(100),
});
export type AlertListQuery = z.infer<typeof alertListQuery>;

// A type, not an interface: drizzle's execute<T> wants rows assignable to Record<string, unknown>.
export type AlertView = {
  id: string;
  repoId: string | null;
  repoFullName: string | null;
  rule: string;
  severity: (typeof ALERT_SEVERITIES)[number];
  title: string;
  details: Record<string, unknown>;
  triggeredAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
};

/**
 * An alert of the alerts page: with the sentence that says why it fired (the words its notifications carried). The
 * JSON API's list keeps its documented shape (details hold the numbers and the message).
 */
export type AlertListItem = AlertView & { reason: string };

export async function listAlertsWithReasons(db: Executor, orgId: string, query: AlertListQuery): Promise<AlertListItem[]> {
  return (await listAlerts(db, orgId, query)).map((alert) => ({ ...alert, reason: alertReason(alert) }));
}

/** Newest first. Organisation-wide alerts have no repository; a repository's alerts hide with the repository. */
export async function listAlerts(db: Executor, orgId: string, query: AlertListQuery): Promise<AlertView[]> {
  const rows = await db.execute<AlertView>(sql`
    select a.id, a.repo_id as "repoId", r.full_name as "repoFullName", a.rule, a.severity, a.title, a.details,
      a.triggered_at as "triggeredAt", a.acknowledged_at as "acknowledgedAt", u.login as "acknowledgedBy"
    from alerts a
    left join repositories r on r.id = a.repo_id and r.org_id = ${orgId}
    left join users u on u.id = a.acknowledged_by
    where a.org_id = ${orgId} and (a.repo_id is null or r.disabled_at is null)
      ${query.repo ? sql`and a.repo_id = ${query.repo}` : sql``}
      ${query.severity ? sql`and a.severity = ${query.severity}` : sql``}
      ${query.status === "open" ? sql`and a.acknowledged_at is null` : query.status === "acknowledged" ? sql`and a.acknowledged_at is not null` : sql``}
    order by a.triggered_at desc, a.id
    limit ${query.limit}
  `);
  return rows.map((row) => ({ ...row, triggeredAt: isoTime(row.triggeredAt), acknowledgedAt: isoTimeOrNull(row.acknowledgedAt) }));
}

export interface AlertSummary {
  open: number;
  total: number;
  openBySeverity: Record<AlertView["severity"], number>;
  mostRecentAt: string | null;
}

/** The alerts page header (the design's getSummary): counts over the last 30 days and the newest alert's time. */
export async function getAlertSummary(db: Executor, orgId: string, now: Date): Promise<AlertSummary> {
  const since = new Date(now.getTime() - 30 * 86_400_000).toISOString();
  const [row] = await db.execute<{ total: number; open: number; info: number; warning: number; critical: number; most_recent_at: string | null }>(sql`
    select count(*)::int as total,
      count(*) filter (where a.acknowledged_at is null)::int as open,
      count(*) filter (where a.acknowledged_at is null and a.severity = 'info')::int as info,
      count(*) filter (where a.acknowledged_at is null and a.severity = 'warning')::int as warning,
      count(*) filter (where a.acknowledged_at is null and a.severity = 'critical')::int as critical,
      max(a.triggered_at) as most_recent_at
    from alerts a
    left join repositories r on r.id = a.repo_id and r.org_id = ${orgId}
    where a.org_id = ${orgId} and (a.repo_id is null or r.disabled_at is null) and a.triggered_at >= ${since}
  `);
  return {
    open: row?.open ?? 0,
    total: row?.total ?? 0,
    openBySeverity: { info: row?.info ?? 0, warning: row?.warning ?? 0, critical: row?.critical ?? 0 },
    mostRecentAt: isoTimeOrNull(row?.most_recent_at ?? null),
  };
}

/** How one channel's notification of an alert went (from `alerts.delivery_status`, the summary of alert_deliveries). */
export interface AlertDeliveryView {
  channelId: string;
  channelName: string;
  kind: string;
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
}

/** A commit an alert names, with its event page when Sentinel has analysed it. */
export interface AlertCommitView {
  sha: string;
  eventId: number | null;
}

export type AlertDetail = AlertView & {
  reason: string;
  repoSource: "github" | "local" | "demo" | null;
  deliveries: AlertDeliveryView[];
  /** The deployment's new head and previous head (high_risk_deployed) and its risky commits, in that order. */
  commits: AlertCommitView[];
};

const deliverySummary = z.record(
  z.string(),
  z.object({
    name: z.string().catch("channel"),
    kind: z.string().catch("unknown"),
    status: z.string().catch("unknown"),
    attempts: z.number().catch(0),
    lastError: z.string().nullable().catch(null),
    sentAt: z.string().nullable().catch(null),
  }),
);

const shaList = z.array(z.string().regex(/^[0-9a-f]{7,40}$/i)).catch([]);

/** The commit shas an alert's details name (a deployment's head and the commits that carried its risky files). */
function alertShas(details: Record<string, unknown>): string[] {
  const heads = shaList.parse([details.sha].filter((sha) => typeof sha === "string"));
  return [...new Set([...heads, ...shaList.parse(details.riskyCommits)])].slice(0, 50);
}

/**
 * One alert of `orgId` for its page, or null for another organisation's alert, a malformed id, or an alert of a
 * disabled repository (hidden like in the list).
 */
export async function getAlertDetail(db: Executor, orgId: string, alertId: string): Promise<AlertDetail | null> {
  if (!z.string().uuid().safeParse(alertId).success) return null;
  const [row] = await db.execute<AlertView & { repoSource: AlertDetail["repoSource"]; deliveryStatus: unknown }>(sql`
    select a.id, a.repo_id as "repoId", r.full_name as "repoFullName", r.source as "repoSource", a.rule, a.severity, a.title, a.details,
      a.triggered_at as "triggeredAt", a.acknowledged_at as "acknowledgedAt", u.login as "acknowledgedBy", a.delivery_status as "deliveryStatus"
    from alerts a
    left join repositories r on r.id = a.repo_id and r.org_id = ${orgId}
    left join users u on u.id = a.acknowledged_by
    where a.id = ${alertId} and a.org_id = ${orgId} and (a.repo_id is null or r.disabled_at is null)
  `);
  if (!row) return null;
  const { deliveryStatus, ...alert } = row;
  const shas = row.repoId ? alertShas(row.details) : [];
  const events =
    shas.length === 0
      ? []
      : await db.execute<{ sha: string; id: string }>(sql`
          select substr(e.event_key, 8) as sha, e.id from code_events e
          where e.org_id = ${orgId} and e.repo_id = ${row.repoId}
            and e.event_key in (${sql.join(shas.map((sha) => sql`${`commit/${sha}`}`), sql`, `)})
        `);
  const eventBySha = new Map(events.map((event) => [event.sha, Number(event.id)]));
  const deliveries = Object.entries(deliverySummary.catch({}).parse(deliveryStatus))
    .map(([channelId, delivery]) => ({
      channelId,
      channelName: delivery.name,
      kind: delivery.kind,
      status: delivery.status,
      attempts: delivery.attempts,
      lastError: delivery.lastError,
      // jsonb renders a timestamptz in the session's time zone: normalised to UTC like every other time here.
      sentAt: delivery.sentAt && Number.isFinite(Date.parse(delivery.sentAt)) ? isoTime(delivery.sentAt) : null,
    }))
    .sort((x, y) => x.channelName.localeCompare(y.channelName));
  return {
    ...alert,
    reason: alertReason(alert),
    triggeredAt: isoTime(row.triggeredAt),
    acknowledgedAt: isoTimeOrNull(row.acknowledgedAt),
    deliveries,
    commits: shas.map((sha) => ({ sha, eventId: eventBySha.get(sha) ?? null })),
  };
}
