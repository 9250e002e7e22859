/**
 * DORA's four keys for one repository or a whole organisation over a time range, and the split no other tool makes:
 * change failure of the deployments that shipped AI-written code to T3/T4 files against those that did not
 * (docs/product.md, "Delivery (DORA)"). Pure: the deployments come in counted and the incidents matched to their
 * deployments; application/metrics/dora.ts does both in SQL from the stored deployment facts (ADR 082).
 */
import { median } from "./review-queue.ts";
import { DAY_MS } from "./time.ts";

/** Below this many deployments on either side, the AI comparison is a coin toss: the card says so instead. */
export const MIN_DEPLOYMENTS_TO_COMPARE = 5;

const MINUTE_MS = 60_000;

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
  /**
   * First commit → production: per shipped commit of a successful deployment, authored → deployment finished (its
   * creation if it never said).
   */
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

const rateOf = (failed: number, total: number) => (total === 0 ? null : failed / total);

/** Minutes from the incident's start to its resolution; none while it is open. */
function restoreMinutes(incident: IncidentSpan): number[] {
  return incident.resolvedAt ? [(incident.resolvedAt.getTime() - incident.startedAt.getTime()) / MINUTE_MS] : [];
}

/**
 * Finished production deployments of one side of the AI split, and how many of them GitHub called successful: `success`
 * or `inactive` (a success that a later deployment replaced); the others ended in `failure` or `error`.
 */
export interface DeploymentCounts {
  deployments: number;
  successful: number;
}

/**
 * An incident that started in the range, with the deployment it followed: its repository's latest finished production
 * deployment created at or before the incident started. None when that one is outside the range (or there is none).
 */
export interface MatchedIncident extends IncidentSpan {
  deployment: { id: string; successful: boolean; aiHighRisk: boolean } | null;
}

/**
 * What the figures are made of, already counted: the deployments created in the range by AI flag, the lead times'
 * median and counts, and the incidents that started in the range with their deployments. application/metrics/dora.ts
 * counts them in SQL: one repository from its deployments' facts, the organisation from day totals (ADR 082).
 */
export interface DoraTotals {
  range: DoraRange;
  aiHighRisk: DeploymentCounts;
  other: DeploymentCounts;
  leadTime: DoraFigures["leadTime"];
  incidents: readonly MatchedIncident[];
}

/** A side's failures: its unsuccessful deployments, and its successful ones that one incident or more followed. */
function groupOf(counts: DeploymentCounts, incidents: readonly MatchedIncident[]): DeploymentGroup {
  const failedByIncident = new Set(incidents.filter((incident) => incident.deployment?.successful).map((incident) => incident.deployment!.id)).size;
  const failed = counts.deployments - counts.successful + failedByIncident;
  return { deployments: counts.deployments, failed, rate: rateOf(failed, counts.deployments), incidents: incidents.length };
}

/**
 * The figures from their totals (see DoraTotals): deployment frequency counts the successful deployments, change
 * failure every finished one, and time to restore every incident, whether or not it follows a deployment in the range.
 */
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
