/**
 * Every job Sentinel queues, in one place: its name, the queue it runs on, the payload its handler parses, and the
 * builder of its deterministic id (no ':' — BullMQ reserves it — so every outside part goes through jobIdPart).
 * Handlers (createJobHandlers in workers.ts) take their schema from here, enqueue sites their id, and schedules
 * (schedules.ts) their queue; catalog.test.ts checks the three agree. Names and ids are persisted in Redis: changing
 * one orphans queued jobs and lets a repeat enqueue through, so they only ever get added.
 */
import { z } from "zod";
import type { QueueName } from "../domain/ports.ts";
import { jobIdPart } from "../infrastructure/queue/job-id.ts";
import { weekStartOf } from "../domain/metrics/time.ts";

export const PROCESS_DELIVERY_JOB = "process-delivery";
export const FETCH_PUSH_RANGE_JOB = "fetch-push-range";
export const ANALYZE_COMMIT_JOB = "analyze-commit";
export const BACKFILL_REPOSITORY_JOB = "backfill-repository";
export const RECOVER_DELIVERIES_JOB = "recover-webhook-deliveries";
export const COMPUTE_METRICS_DAILY = "compute-metrics-daily";
export const TRACK_SURVIVAL_WEEKLY = "track-survival-weekly";
export const MONITOR_SATURATION_HOURLY = "monitor-saturation-hourly";
export const EVALUATE_ALERTS = "evaluate-alerts";
export const EVALUATE_DEPLOYMENT_JOB = "evaluate-deployment";
export const EVALUATE_INCIDENT_JOB = "evaluate-incident";
export const DEMO_METRICS_JOB = "demo-metrics";
export const RESCORE_CHECK_JOB = "rescore-check";
export const RESCORE_ORGANIZATION_JOB = "rescore-organization";
export const RETENTION_JOB = "apply-retention";
export const DELIVER_ALERT_JOB = "deliver-alert";
export const ACKNOWLEDGE_PAGERDUTY_JOB = "acknowledge-pagerduty";
export const SEND_WEEKLY_DIGEST_JOB = "send-weekly-digest";
export const SYNC_GITHUB_TEAMS_TICK = "sync-github-teams-tick";
export const SYNC_GITHUB_TEAMS_JOB = "sync-github-teams";
export const FOLD_PULL_REQUEST_TIMES_JOB = "fold-pull-request-times";

/** The hourly tick of a metrics job: it picks the organisations whose local time calls for the job and fans out. */
const tick = <T extends string>(job: T) => `${job}-tick` as const;
export const COMPUTE_METRICS_DAILY_TICK = tick(COMPUTE_METRICS_DAILY);
export const TRACK_SURVIVAL_WEEKLY_TICK = tick(TRACK_SURVIVAL_WEEKLY);
export const MONITOR_SATURATION_HOURLY_TICK = tick(MONITOR_SATURATION_HOURLY);
/** The weekly digest's hourly tick: organisations whose local time is Monday 08:00–08:59 (issue 18, ADR 077). */
export const SEND_WEEKLY_DIGEST_TICK = tick(SEND_WEEKLY_DIGEST_JOB);

/** The metrics jobs whose results the alert rules are evaluated on. */
export const METRICS_SOURCES = [COMPUTE_METRICS_DAILY, TRACK_SURVIVAL_WEEKLY, MONITOR_SATURATION_HOURLY] as const;
export type MetricsSource = (typeof METRICS_SOURCES)[number];

const uuid = z.string().uuid();
const sha = z.string().regex(/^[0-9a-f]{7,64}$/i, "must be a commit sha");
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");
const utcHour = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/, "must be an hour YYYY-MM-DDTHH");
/** A real date that is a Monday (a weekly digest's week). */
const isMonday = (date: string) => {
  try {
    return weekStartOf(date) === date;
  } catch {
    return false;
  }
};
/** Scheduled ticks carry no data of their own (a scheduler's job data is `{}`). */
const noPayload = z.object({}).passthrough();
const repoPeriod = <T extends z.ZodType>(period: T) => z.object({ repoId: uuid, period });
const alertChannel = z.object({ alertId: uuid, channelId: uuid });

/** `<job>-<repo>-<period>`: one job per repository and period. */
export const periodJobId = (job: string, repoId: string, period: string) => jobIdPart(`${job}-${repoId}-${period}`);

interface CatalogEntry {
  queue: QueueName;
  payload: z.ZodType;
  /** Absent for jobs only a scheduler queues (the scheduler names them). */
  id?: (...parts: never[]) => string;
}

export const JOB_CATALOG = {
  [PROCESS_DELIVERY_JOB]: {
    queue: "webhooks",
    payload: z.object({ deliveryId: z.string().min(1).max(200) }),
    id: (deliveryId: string) => `delivery-${jobIdPart(deliveryId)}`,
  },
  // On the webhooks queue: it finishes ingesting the delivery, and must not wait behind thousands of analyses.
  [FETCH_PUSH_RANGE_JOB]: {
    queue: "webhooks",
    payload: z.object({ repoId: uuid, before: sha, after: sha, branch: z.string().min(1), onDefaultBranch: z.boolean() }),
    id: (deliveryId: string) => `push-range-${jobIdPart(deliveryId)}`,
  },
  // A re-score (new PR context) gets its own id: the first job may still be kept as completed and would swallow it.
  [ANALYZE_COMMIT_JOB]: {
    queue: "analysis",
    payload: z.object({ repoId: uuid, sha: z.string().regex(/^[0-9a-f]{7,64}$/, "must be a commit sha") }),
    id: (repoId: string, commitSha: string, rescoreOf?: string) => `analyze-${repoId}-${commitSha}${rescoreOf ? `-${jobIdPart(rescoreOf)}` : ""}`,
  },
  // One backfill per repository and day: adding, removing and re-adding a repository within a day backfills once.
  [BACKFILL_REPOSITORY_JOB]: {
    queue: "analysis",
    payload: z.object({ repoId: uuid, since: z.iso.date() }),
    id: (repoId: string, since: string) => `backfill-${repoId}-${since}`,
  },
  [RECOVER_DELIVERIES_JOB]: { queue: "scheduled-jobs", payload: noPayload },
  [COMPUTE_METRICS_DAILY_TICK]: { queue: "scheduled-jobs", payload: noPayload },
  [TRACK_SURVIVAL_WEEKLY_TICK]: { queue: "scheduled-jobs", payload: noPayload },
  [MONITOR_SATURATION_HOURLY_TICK]: { queue: "scheduled-jobs", payload: noPayload },
  [COMPUTE_METRICS_DAILY]: {
    queue: "scheduled-jobs",
    payload: repoPeriod(localDate),
    id: (repoId: string, period: string) => periodJobId(COMPUTE_METRICS_DAILY, repoId, period),
  },
  [TRACK_SURVIVAL_WEEKLY]: {
    queue: "scheduled-jobs",
    payload: repoPeriod(localDate),
    id: (repoId: string, period: string) => periodJobId(TRACK_SURVIVAL_WEEKLY, repoId, period),
  },
  [MONITOR_SATURATION_HOURLY]: {
    queue: "scheduled-jobs",
    payload: repoPeriod(utcHour),
    id: (repoId: string, period: string) => periodJobId(MONITOR_SATURATION_HOURLY, repoId, period),
  },
  [EVALUATE_ALERTS]: {
    queue: "scheduled-jobs",
    payload: z.object({ repoId: uuid, source: z.enum(METRICS_SOURCES), period: z.string().min(1).max(40) }),
    id: (source: MetricsSource, repoId: string, period: string) => periodJobId(`${EVALUATE_ALERTS}-${source}`, repoId, period),
  },
  [EVALUATE_DEPLOYMENT_JOB]: {
    queue: "scheduled-jobs",
    payload: z.object({ deploymentId: uuid }),
    id: (deploymentId: string) => `evaluate-deployment-${jobIdPart(deploymentId)}`,
  },
  [EVALUATE_INCIDENT_JOB]: {
    queue: "scheduled-jobs",
    payload: z.object({ incidentId: uuid }),
    id: (incidentId: string) => `evaluate-incident-${jobIdPart(incidentId)}`,
  },
  // Queued once by the demo seeding.
  [DEMO_METRICS_JOB]: { queue: "scheduled-jobs", payload: z.object({ orgId: uuid }), id: (orgId: string) => `demo-metrics-${orgId}` },
  [RESCORE_CHECK_JOB]: { queue: "scheduled-jobs", payload: noPayload },
  // One job per organisation and detector version: every worker starting after a deploy queues it once.
  [RESCORE_ORGANIZATION_JOB]: {
    queue: "scheduled-jobs",
    payload: z.object({ orgId: uuid, detectorVersion: z.string().min(1).max(100) }),
    id: (orgId: string, detectorVersion: string) => jobIdPart(`${RESCORE_ORGANIZATION_JOB}-${orgId}-${detectorVersion}`),
  },
  [RETENTION_JOB]: { queue: "scheduled-jobs", payload: noPayload },
  [DELIVER_ALERT_JOB]: {
    queue: "notifications",
    payload: alertChannel,
    id: (alertId: string, channelId: string) => `alert-${jobIdPart(alertId)}-${jobIdPart(channelId)}`,
  },
  [ACKNOWLEDGE_PAGERDUTY_JOB]: {
    queue: "notifications",
    payload: alertChannel,
    id: (alertId: string, channelId: string) => `pd-ack-${jobIdPart(alertId)}-${jobIdPart(channelId)}`,
  },
  [SEND_WEEKLY_DIGEST_TICK]: { queue: "scheduled-jobs", payload: noPayload },
  // One job per organisation and week: every tick of the digest hour, and every worker, queues it once.
  [SEND_WEEKLY_DIGEST_JOB]: {
    queue: "notifications",
    payload: z.object({ orgId: uuid, weekStart: localDate.refine(isMonday, "must be a Monday, the first day of the week") }),
    id: (orgId: string, weekStart: string) => `weekly-digest-${jobIdPart(orgId)}-${jobIdPart(weekStart)}`,
  },
  // Teams from GitHub (ADR 076): the daily tick fans out one sync per organisation and day; a membership/team/organization
  // webhook queues one per organisation and 5-minute window (`key`), so a burst of team edits makes one sync.
  [SYNC_GITHUB_TEAMS_TICK]: { queue: "scheduled-jobs", payload: noPayload },
  [SYNC_GITHUB_TEAMS_JOB]: {
    queue: "scheduled-jobs",
    payload: z.object({ orgId: uuid }),
    id: (orgId: string, key: string) => jobIdPart(`${SYNC_GITHUB_TEAMS_JOB}-${orgId}-${key}`),
  },
  // The pull-request comparison's histograms (ADR 084): every minute, the queued pull requests of every organisation.
  [FOLD_PULL_REQUEST_TIMES_JOB]: { queue: "scheduled-jobs", payload: noPayload },
} as const satisfies Record<string, CatalogEntry>;

export type JobName = keyof typeof JOB_CATALOG;
export type JobPayload<TName extends JobName> = z.infer<(typeof JOB_CATALOG)[TName]["payload"]>;
