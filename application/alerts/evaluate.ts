import { and, desc, eq, gt, gte, inArray, isNotNull, lt, lte, ne } from "drizzle-orm";
import {
  evaluateHighRiskDeployed,
  evaluateIncidentAiAttributed,
  evaluateMetricRules,
  type AlertCandidate,
  type AttributedFile,
  type MetricsSource,
  type SurvivalAtFourWeeks,
} from "../../domain/alerts/rules.ts";
import { DEFAULT_ALERT_SETTINGS, parseAlertSettings, type AlertSettings } from "../../domain/alerts/settings.ts";
import type { JobQueue } from "../../domain/ports.ts";
import type { Database, Executor } from "../../infrastructure/db/client.ts";
import {
  codeAttribution,
  commits,
  deployments,
  incidentCommits,
  incidents,
  lineSurvival,
  organizations,
  repoMetrics,
  repositories,
  reviewQueueSnapshots,
  webhookDeliveries,
} from "../../infrastructure/db/schema/index.ts";
import type { Logger } from "../../infrastructure/logging/logger.ts";
import { getUnreviewedAiMerges } from "../metrics/unreviewed-ai-merges.ts";
import { enqueueAlertDeliveries, enqueuePendingDeliveries, type DeliveryRetryPolicy } from "./enqueue.ts";
import { recordAlert } from "./record-alert.ts";

export interface AlertEvaluationDeps {
  db: Database;
  queue: JobQueue;
  logger: Logger;
  now?: () => Date;
  deliveryRetry?: DeliveryRetryPolicy;
}

export interface EvaluationResult {
  status: "evaluated" | "skipped";
  reason?: string;
  candidates: string[];
  created: { rule: string; alertId: string; channels: number }[];
  deduplicated: { rule: string; alertId: string | null }[];
}

/** `organizations.settings.alerts` with defaults; an invalid stored value falls back to the defaults (logged). */
export async function loadAlertSettings(db: Executor, orgId: string, logger?: Logger): Promise<AlertSettings> {
  const [org] = await db.select({ settings: organizations.settings }).from(organizations).where(eq(organizations.id, orgId));
  const parsed = parseAlertSettings((org?.settings as { alerts?: unknown } | undefined)?.alerts);
  if (parsed.ok) return parsed.settings;
  logger?.warn({ orgId, fieldErrors: parsed.fieldErrors }, "invalid alert settings stored; using the defaults");
  return DEFAULT_ALERT_SETTINGS;
}

/** Records each candidate (24 h dedup in the database) and enqueues one notification job per alert and channel. */
export async function recordAndNotify(deps: AlertEvaluationDeps, orgId: string, candidates: AlertCandidate[], now: Date): Promise<EvaluationResult> {
  const result: EvaluationResult = { status: "evaluated", candidates: candidates.map((c) => c.rule), created: [], deduplicated: [] };
  for (const candidate of candidates) {
    const recorded = await recordAlert(deps.db, orgId, candidate, now);
    if (recorded.created) {
      await enqueueAlertDeliveries(deps.queue, recorded.alertId, recorded.channelIds, deps.deliveryRetry);
      result.created.push({ rule: candidate.rule, alertId: recorded.alertId, channels: recorded.channelIds.length });
    } else {
      // Heals a winner whose enqueue failed after its commit (this may be its retry); a no-op otherwise.
      if (recorded.alertId) await enqueuePendingDeliveries(deps.db, deps.queue, recorded.alertId, deps.deliveryRetry);
      result.deduplicated.push({ rule: candidate.rule, alertId: recorded.alertId });
    }
  }
  if (result.created.length > 0) deps.logger.info({ orgId, created: result.created }, "alerts created");
  return result;
}

async function loadRepo(db: Executor, repoId: string) {
  const [repo] = await db
    .select({ id: repositories.id, orgId: repositories.orgId, fullName: repositories.fullName, disabledAt: repositories.disabledAt })
    .from(repositories)
    .where(eq(repositories.id, repoId));
  return repo ?? null;
}

const DAY_MS = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function weightedSurvival(rows: { survival: number; linesBorn: number }[]): SurvivalAtFourWeeks | null {
  const linesBorn = rows.reduce((total, row) => total + row.linesBorn, 0);
  if (linesBorn === 0) return null;
  return { survival: rows.reduce((total, row) => total + row.survival * row.linesBorn, 0) / linesBorn, linesBorn };
}

/**
 * The `evaluate-alerts` job (enqueued by the metrics jobs after a repository's metrics are written): loads what
 * the source's rules read — 14 days of daily rows, the recent cohorts' 4-week survival, the hour's review-queue
 * snapshot — and runs them.
 */
export async function evaluateRepositoryAlerts(
  deps: AlertEvaluationDeps,
  request: { repoId: string; source: MetricsSource; period: string },
): Promise<EvaluationResult> {
  const skipped = (reason: string): EvaluationResult => ({ status: "skipped", reason, candidates: [], created: [], deduplicated: [] });
  const repo = await loadRepo(deps.db, request.repoId);
  if (!repo) return skipped("repository not found");
  if (repo.disabledAt) return skipped("repository disabled");
  const asOf = request.period.slice(0, 10);
  const asOfMs = Date.parse(`${asOf}T00:00:00Z`);
  if (!Number.isFinite(asOfMs)) return skipped(`unreadable period ${request.period}`);
  const settings = await loadAlertSettings(deps.db, repo.orgId, deps.logger);

  const daily = await deps.db
    .select({
      date: repoMetrics.date,
      linesAdded: repoMetrics.linesAdded,
      writtenLines: repoMetrics.writtenLines,
      aiLinesAdded: repoMetrics.aiLinesAdded,
      linesDeleted: repoMetrics.linesDeleted,
      linesByTier: repoMetrics.linesByTier,
      aiLinesByTier: repoMetrics.aiLinesByTier,
      aiChurnLines: repoMetrics.aiChurnLines,
      humanChurnLines: repoMetrics.humanChurnLines,
    })
    .from(repoMetrics)
    .where(and(eq(repoMetrics.repoId, repo.id), gt(repoMetrics.date, isoDate(asOfMs - 14 * DAY_MS)), lte(repoMetrics.date, asOf)));

  let survival = null;
  if (request.source === "track-survival-weekly") {
    // Cohorts born in the last 16 weeks that are old enough to have a 4-week value.
    const rows = await deps.db
      .select({ authorKind: lineSurvival.authorKind, survival: lineSurvival.survivalW4, linesBorn: lineSurvival.linesBorn })
      .from(lineSurvival)
      .where(and(eq(lineSurvival.repoId, repo.id), isNotNull(lineSurvival.survivalW4), gte(lineSurvival.cohortWeek, isoDate(asOfMs - 16 * 7 * DAY_MS))));
    const of = (kind: "ai" | "human") =>
      weightedSurvival(rows.filter((row) => row.authorKind === kind).map((row) => ({ survival: row.survival ?? 0, linesBorn: row.linesBorn })));
    survival = { ai: of("ai"), human: of("human") };
  }

  let reviewQueue = null;
  if (request.source === "monitor-saturation-hourly") {
    const takenAt = new Date(`${request.period}:00:00Z`);
    if (!Number.isNaN(takenAt.getTime())) {
      const [snapshot] = await deps.db
        .select({ takenAt: reviewQueueSnapshots.takenAt, waiting: reviewQueueSnapshots.waiting, oldestWaitMinutes: reviewQueueSnapshots.oldestWaitMinutes })
        .from(reviewQueueSnapshots)
        .where(and(eq(reviewQueueSnapshots.repoId, repo.id), eq(reviewQueueSnapshots.takenAt, takenAt)));
      if (snapshot) reviewQueue = { ...snapshot, takenAt: snapshot.takenAt.toISOString() };
    }
  }

  let unreviewedAiMerges = null;
  if (request.source === "compute-metrics-daily" && settings.ai_high_risk_merged_without_review.enabled) {
    // The window ends with the evaluated day (read as a UTC day: the rule alerts at most once a day anyway).
    const to = new Date(asOfMs + DAY_MS);
    const from = new Date(to.getTime() - settings.ai_high_risk_merged_without_review.windowDays * DAY_MS);
    const found = await getUnreviewedAiMerges(deps.db, { orgId: repo.orgId, repoId: repo.id }, { from, to });
    unreviewedAiMerges = { ...found, pullRequests: found.pullRequests.map((pr) => ({ ...pr, mergedAt: pr.mergedAt.toISOString() })) };
  }

  const candidates = evaluateMetricRules({ repo: { id: repo.id, fullName: repo.fullName }, asOf, daily, survival, reviewQueue, unreviewedAiMerges }, settings, request.source);
  return recordAndNotify(deps, repo.orgId, candidates, deps.now?.() ?? new Date());
}

async function attributedFiles(db: Executor, repoId: string, shas: string[]): Promise<AttributedFile[]> {
  if (shas.length === 0) return [];
  return db
    .select({
      commitSha: codeAttribution.commitSha,
      filePath: codeAttribution.filePath,
      aiConfidence: codeAttribution.aiConfidence,
      riskTier: codeAttribution.riskTier,
      linesAdded: codeAttribution.linesAdded,
      countsTowardShare: codeAttribution.countsTowardShare,
    })
    .from(codeAttribution)
    .where(and(eq(codeAttribution.repoId, repoId), inArray(codeAttribution.commitSha, shas)));
}

/** At most this many commits are read per deployment: a first deployment of a long history stays bounded. */
const MAX_DEPLOYED_COMMITS = 500;

/**
 * The commits a deployment brought: from the previous successful production deployment's sha (exclusive) to this
 * sha (inclusive), read as the repository's recorded commits authored in between — Sentinel keeps no commit graph,
 * so the author dates of the two shas bound the range. Without a previous deployment only the deployed commit counts.
 */
export async function deployedCommitShas(db: Executor, deployment: { repoId: string; sha: string; previousSha: string | null }): Promise<string[]> {
  const shas = [deployment.sha, ...(deployment.previousSha ? [deployment.previousSha] : [])];
  const known = await db
    .select({ sha: commits.sha, authoredAt: commits.authoredAt })
    .from(commits)
    .where(and(eq(commits.repoId, deployment.repoId), inArray(commits.sha, shas)));
  const head = known.find((row) => row.sha === deployment.sha);
  const base = deployment.previousSha ? known.find((row) => row.sha === deployment.previousSha) : undefined;
  if (!head || !base) return [deployment.sha];
  if (deployment.previousSha === deployment.sha) return [];
  const rows = await db
    .select({ sha: commits.sha })
    .from(commits)
    .where(and(eq(commits.repoId, deployment.repoId), gt(commits.authoredAt, base.authoredAt), lte(commits.authoredAt, head.authoredAt), ne(commits.sha, base.sha)))
    .orderBy(desc(commits.authoredAt))
    .limit(MAX_DEPLOYED_COMMITS);
  return [...new Set([deployment.sha, ...rows.map((row) => row.sha)])];
}

/** The `evaluate-deployment` job: `high_risk_deployed` for a production deployment that just succeeded. */
export async function evaluateDeploymentAlerts(deps: AlertEvaluationDeps, deploymentId: string): Promise<EvaluationResult> {
  const skipped = (reason: string): EvaluationResult => ({ status: "skipped", reason, candidates: [], created: [], deduplicated: [] });
  const [deployment] = await deps.db
    .select({
      id: deployments.id,
      orgId: deployments.orgId,
      repoId: deployments.repoId,
      sha: deployments.sha,
      environment: deployments.environment,
      isProduction: deployments.isProduction,
      status: deployments.status,
      createdAt: deployments.createdAt,
    })
    .from(deployments)
    .where(eq(deployments.id, deploymentId));
  if (!deployment) return skipped("deployment not found");
  if (!deployment.isProduction || deployment.status !== "success") return skipped("not a successful production deployment");
  const repo = await loadRepo(deps.db, deployment.repoId);
  if (!repo || repo.disabledAt) return skipped("repository not found or disabled");
  const [previous] = await deps.db
    .select({ sha: deployments.sha })
    .from(deployments)
    .where(
      and(
        eq(deployments.repoId, deployment.repoId),
        eq(deployments.environment, deployment.environment),
        eq(deployments.isProduction, true),
        eq(deployments.status, "success"),
        lt(deployments.createdAt, deployment.createdAt),
        ne(deployments.id, deployment.id),
      ),
    )
    .orderBy(desc(deployments.createdAt))
    .limit(1);
  const previousSha = previous?.sha ?? null;
  const shas = await deployedCommitShas(deps.db, { repoId: deployment.repoId, sha: deployment.sha, previousSha });
  const settings = await loadAlertSettings(deps.db, deployment.orgId, deps.logger);
  const candidate = evaluateHighRiskDeployed(
    {
      repo: { id: repo.id, fullName: repo.fullName },
      deployment: { id: deployment.id, sha: deployment.sha, environment: deployment.environment, previousSha },
      files: await attributedFiles(deps.db, deployment.repoId, shas),
    },
    settings.high_risk_deployed,
  );
  return recordAndNotify(deps, deployment.orgId, candidate ? [candidate] : [], deps.now?.() ?? new Date());
}

/** The `evaluate-incident` job: `incident_ai_attributed` for a newly created incident's suspected commits. */
export async function evaluateIncidentAlerts(deps: AlertEvaluationDeps, incidentId: string): Promise<EvaluationResult> {
  const skipped = (reason: string): EvaluationResult => ({ status: "skipped", reason, candidates: [], created: [], deduplicated: [] });
  const [incident] = await deps.db
    .select({ id: incidents.id, orgId: incidents.orgId, repoId: incidents.repoId, title: incidents.title })
    .from(incidents)
    .where(eq(incidents.id, incidentId));
  if (!incident) return skipped("incident not found");
  const repo = await loadRepo(deps.db, incident.repoId);
  if (!repo || repo.orgId !== incident.orgId) return skipped("repository not found");
  const suspects = await deps.db
    .select({ sha: incidentCommits.commitSha })
    .from(incidentCommits)
    .where(and(eq(incidentCommits.incidentId, incident.id), eq(incidentCommits.repoId, incident.repoId)));
  const settings = await loadAlertSettings(deps.db, incident.orgId, deps.logger);
  const candidate = evaluateIncidentAiAttributed(
    {
      repo: { id: repo.id, fullName: repo.fullName },
      incident: { id: incident.id, title: incident.title },
      files: await attributedFiles(deps.db, incident.repoId, suspects.map((row) => row.sha)),
    },
    settings.incident_ai_attributed,
  );
  return recordAndNotify(deps, incident.orgId, candidate ? [candidate] : [], deps.now?.() ?? new Date());
}

/**
 * Production deployments whose status became success through this webhook delivery (the webhook job enqueues
 * `evaluate-deployment` for each). Every processed delivery asks, so the common case is one primary-key read that
 * finds another event type.
 */
export async function productionDeploymentsSucceededBy(db: Executor, deliveryId: string): Promise<string[]> {
  const [delivery] = await db
    .select({ event: webhookDeliveries.event, payload: webhookDeliveries.payload })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.deliveryId, deliveryId));
  if (delivery?.event !== "deployment_status") return [];
  const payload = delivery.payload as { deployment_status?: { state?: unknown }; deployment?: { id?: unknown }; repository?: { id?: unknown } } | null;
  const githubDeploymentId = payload?.deployment?.id;
  const githubRepoId = payload?.repository?.id;
  if (String(payload?.deployment_status?.state).toLowerCase() !== "success") return [];
  if (typeof githubDeploymentId !== "number" || typeof githubRepoId !== "number") return [];
  const rows = await db
    .select({ id: deployments.id })
    .from(deployments)
    .innerJoin(repositories, eq(repositories.id, deployments.repoId))
    .where(
      and(
        eq(deployments.githubId, githubDeploymentId),
        eq(repositories.githubId, githubRepoId),
        eq(deployments.isProduction, true),
        eq(deployments.status, "success"),
      ),
    );
  return rows.map((row) => row.id);
}
