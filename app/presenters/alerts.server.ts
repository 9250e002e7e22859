import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../../infrastructure/db/client.ts";

export const ALERT_SEVERITIES = ["info", "warning", "critical"] as const;

export const alertListQuery = z.object({
  status: z.enum(["open", "acknowledged", "all"], { message: "status is open, acknowledged or all" }).default("all"),
  severity: z.enum(ALERT_SEVERITIES, { message: "severity is info, warning or critical" }).optional(),
  repo: z.string().uuid("repo must be a repository id").optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
export type AlertListQuery = z.infer<typeof alertListQuery>;

export interface AlertView {
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
}

/** Newest first. Organisation-wide alerts have no repository; a repository's alerts hide with the repository. */
export async function listAlerts(db: Executor, orgId: string, query: AlertListQuery): Promise<AlertView[]> {
  const rows = await db.execute<{
    id: string;
    repo_id: string | null;
    full_name: string | null;
    rule: string;
    severity: AlertView["severity"];
    title: string;
    details: Record<string, unknown>;
    triggered_at: string;
    acknowledged_at: string | null;
    acknowledged_by: string | null;
  }>(sql`
    select a.id, a.repo_id, r.full_name, a.rule, a.severity, a.title, a.details, a.triggered_at, a.acknowledged_at, u.login as acknowledged_by
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
  return rows.map((row) => ({
    id: row.id,
    repoId: row.repo_id,
    repoFullName: row.full_name,
    rule: row.rule,
    severity: row.severity,
    title: row.title,
    details: row.details,
    triggeredAt: new Date(row.triggered_at).toISOString(),
    acknowledgedAt: row.acknowledged_at ? new Date(row.acknowledged_at).toISOString() : null,
    acknowledgedBy: row.acknowledged_by,
  }));
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
    mostRecentAt: row?.most_recent_at ? new Date(row.most_recent_at).toISOString() : null,
  };
}
