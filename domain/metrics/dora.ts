/**
 * DORA's four keys for one repository or a whole organisation over a time range, and the split no other tool makes:
 * change failure of the deployments that shipped AI-written code to T3/T4 files against those that did not
 * (docs/product.md, "Delivery (DORA)"). Pure: the deployments, what each shipped and the incidents come in as values.
 */
import { median } from "./review-queue.ts";
import { DAY_MS } from "./time.ts";

/** The production deployment states that ended: GitHub's `inactive` is a success that a later deployment replaced. */
export const FINISHED_DEPLOYMENT_STATUSES = ["success", "inactive", "failure", "error"] as const;
export type FinishedDeploymentStatus = (typeof FINISHED_DEPLOYMENT_STATUSES)[number];
export const SUCCESSFUL_DEPLOYMENT_STATUSES = ["success", "inactive"] as const satisfies readonly FinishedDeploymentStatus[];

/** Below this many deployments on either side, the AI comparison is a coin toss: the card says so instead. */
export const MIN_DEPLOYMENTS_TO_COMPARE = 5;

const MINUTE_MS = 60_000;

export interface ProductionDeployment {
  id: string;
  repoId: string;
  status: FinishedDeploymentStatus;
  createdAt: Date;
  finishedAt: Date | null;
  /**
   * Authored time of each commit it shipped: the default branch's commits that landed after the repository's previous
   * successful production deployment and up to this one (ADR 060, as the incident form's suspects).
   */
  shippedCommitsAuthoredAt: readonly Date[];
  /** Whether a shipped commit changed a T3/T4 file with AI confidence at or above the threshold. */
  shippedAiHighRisk: boolean;
}

export interface IncidentSpan {
  id: string;
  repoId: string;
  startedAt: Date;
  resolvedAt: Date | null;
}

/** Deployments of one side of the AI split, how many failed and how many incidents followed them. */
export interface DeploymentGroup {
  deployments: number;
  failed: number;
  /** failed / deployments, 0–1; null without deployments. */
  rate: number | null;
  incidents: number;
}

export interface DoraFigures {
  deploymentFrequency: { deployments: number; perWeek: number };
  /** First commit → production: per shipped commit of a successful deployment, authored → deployment finished. */
  leadTime: { medianMinutes: number | null; commits: number; deployments: number };
  changeFailureRate: {
    failed: number;
    deployments: number;
    rate: number | null;
    /** Deployments GitHub reported as failure or error. */
    failedByStatus: number;
    /** Successful deployments that an incident followed before the next production deployment. */
    failedByIncident: number;
  };
  timeToRestore: { medianMinutes: number | null; resolved: number; unresolved: number };
  aiSplit: {
    /** Both sides have at least `minimumDeployments`; otherwise the figures are shown with their counts only. */
    comparable: boolean;
    minimumDeployments: number;
    aiHighRisk: DeploymentGroup;
    other: DeploymentGroup;
  };
}

export interface DoraRange {
  from: Date;
  to: Date;
}

const within = (at: Date, range: DoraRange) => at.getTime() >= range.from.getTime() && at.getTime() < range.to.getTime();
const isSuccessful = (deployment: ProductionDeployment) => (SUCCESSFUL_DEPLOYMENT_STATUSES as readonly string[]).includes(deployment.status);
const rateOf = (failed: number, total: number) => (total === 0 ? null : failed / total);

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(keyOf(item));
    if (group) group.push(item);
    else groups.set(keyOf(item), [item]);
  }
  return groups;
}

/**
 * Each incident's deployment: the repository's latest production deployment created at or before the incident
 * started, i.e. the incident started after it and before the next one. Incidents before the range's first deployment
 * of their repository belong to none (their deployment is outside the range).
 */
export function incidentsByDeployment(deployments: readonly ProductionDeployment[], incidents: readonly IncidentSpan[]): Map<string, IncidentSpan[]> {
  const byRepo = groupBy(deployments, (deployment) => deployment.repoId);
  for (const list of byRepo.values()) list.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const attributed = new Map<string, IncidentSpan[]>();
  for (const incident of incidents) {
    const candidates = byRepo.get(incident.repoId) ?? [];
    const deployment = candidates.findLast((candidate) => candidate.createdAt.getTime() <= incident.startedAt.getTime());
    if (!deployment) continue;
    attributed.set(deployment.id, [...(attributed.get(deployment.id) ?? []), incident]);
  }
  return attributed;
}

/** Minutes from each shipped commit's authoring to the deployment finishing (its creation if it never said). */
function leadTimesMinutes(deployment: ProductionDeployment): number[] {
  const deployedAt = (deployment.finishedAt ?? deployment.createdAt).getTime();
  return deployment.shippedCommitsAuthoredAt.map((authoredAt) => Math.max(0, deployedAt - authoredAt.getTime()) / MINUTE_MS);
}

/** Minutes from the incident's start to its resolution; none while it is open. */
function restoreMinutes(incident: IncidentSpan): number[] {
  return incident.resolvedAt ? [(incident.resolvedAt.getTime() - incident.startedAt.getTime()) / MINUTE_MS] : [];
}

/** Deployments of one side of the AI split: how many finished, and how many of them GitHub called successful. */
export interface DeploymentCounts {
  deployments: number;
  successful: number;
}

/** An incident that started in the range, with the deployment it followed (none when that one is outside the range). */
export interface MatchedIncident extends IncidentSpan {
  deployment: { id: string; successful: boolean; aiHighRisk: boolean } | null;
}

/**
 * What the figures are made of, already counted: the deployments created in the range by AI flag, the lead times'
 * median and counts, and the incidents that started in the range with their deployments. The organisation's view
 * gets these from day totals (application/metrics/dora.ts) instead of a list of every deployment.
 */
export interface DoraTotals {
  range: DoraRange;
  aiHighRisk: DeploymentCounts;
  other: DeploymentCounts;
  leadTime: DoraFigures["leadTime"];
  incidents: readonly MatchedIncident[];
}

function groupOf(counts: DeploymentCounts, incidents: readonly MatchedIncident[]): DeploymentGroup {
  const failedByIncident = new Set(incidents.filter((incident) => incident.deployment?.successful).map((incident) => incident.deployment!.id)).size;
  const failed = counts.deployments - counts.successful + failedByIncident;
  return { deployments: counts.deployments, failed, rate: rateOf(failed, counts.deployments), incidents: incidents.length };
}

/** The figures from their totals (see DoraTotals); computeDora counts a list of deployments into them. */
export function doraFromTotals(totals: DoraTotals): DoraFigures {
  const matched = totals.incidents.filter((incident) => incident.deployment !== null);
  const aiHighRisk = groupOf(totals.aiHighRisk, matched.filter((incident) => incident.deployment!.aiHighRisk));
  const other = groupOf(totals.other, matched.filter((incident) => !incident.deployment!.aiHighRisk));
  const deployments = totals.aiHighRisk.deployments + totals.other.deployments;
  const successful = totals.aiHighRisk.successful + totals.other.successful;
  const failedByStatus = deployments - successful;
  const failed = aiHighRisk.failed + other.failed;
  const weeks = (totals.range.to.getTime() - totals.range.from.getTime()) / (7 * DAY_MS);
  const restoreTimes = totals.incidents.flatMap(restoreMinutes);

  return {
    deploymentFrequency: { deployments: successful, perWeek: weeks > 0 ? successful / weeks : 0 },
    leadTime: totals.leadTime,
    changeFailureRate: { failed, deployments, rate: rateOf(failed, deployments), failedByStatus, failedByIncident: failed - failedByStatus },
    timeToRestore: {
      medianMinutes: median(restoreTimes),
      resolved: restoreTimes.length,
      unresolved: totals.incidents.length - restoreTimes.length,
    },
    aiSplit: {
      comparable: aiHighRisk.deployments >= MIN_DEPLOYMENTS_TO_COMPARE && other.deployments >= MIN_DEPLOYMENTS_TO_COMPARE,
      minimumDeployments: MIN_DEPLOYMENTS_TO_COMPARE,
      aiHighRisk,
      other,
    },
  };
}

const countsOf = (deployments: readonly ProductionDeployment[]): DeploymentCounts => ({
  deployments: deployments.length,
  successful: deployments.filter(isSuccessful).length,
});

/**
 * The figures over [from, to): deployments created and incidents started in the range count. Deployments may come
 * from several repositories (the organisation's view): incidents are matched within their own repository, and the
 * medians are over the pooled commits and incidents (exact here: every lead time is at hand).
 */
export function computeDora(input: { range: DoraRange; deployments: readonly ProductionDeployment[]; incidents: readonly IncidentSpan[] }): DoraFigures {
  const deployments = input.deployments.filter((deployment) => within(deployment.createdAt, input.range));
  const incidents = input.incidents.filter((incident) => within(incident.startedAt, input.range));
  const byId = new Map(deployments.map((deployment) => [deployment.id, deployment]));
  const deploymentOf = new Map<string, ProductionDeployment>();
  for (const [deploymentId, followers] of incidentsByDeployment(deployments, incidents)) {
    for (const incident of followers) deploymentOf.set(incident.id, byId.get(deploymentId)!);
  }
  const successful = deployments.filter(isSuccessful);
  const leadTimes = successful.flatMap(leadTimesMinutes);
  return doraFromTotals({
    range: input.range,
    aiHighRisk: countsOf(deployments.filter((deployment) => deployment.shippedAiHighRisk)),
    other: countsOf(deployments.filter((deployment) => !deployment.shippedAiHighRisk)),
    leadTime: {
      medianMinutes: median(leadTimes),
      commits: leadTimes.length,
      deployments: successful.filter((deployment) => deployment.shippedCommitsAuthoredAt.length > 0).length,
    },
    incidents: incidents.map((incident) => {
      const deployment = deploymentOf.get(incident.id);
      return {
        ...incident,
        deployment: deployment ? { id: deployment.id, successful: isSuccessful(deployment), aiHighRisk: deployment.shippedAiHighRisk } : null,
      };
    }),
  });
}
