import { sql } from "drizzle-orm";
import { z } from "zod";
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
