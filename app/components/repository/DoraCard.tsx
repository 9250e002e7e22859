import { Card, Title } from "@tremor/react";
import type { DoraSummary } from "~/presenters/dora.server.ts";
import { percent } from "./percent.ts";

type DeploymentGroup = DoraSummary["aiSplit"]["other"];

/** Minutes as people say them: "40 min", "6.5 h", "3.2 days". */
function formatDuration(minutes: number | null): string {
  if (minutes === null) return "—";
  if (minutes < 90) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h`;
  return `${(minutes / (24 * 60)).toFixed(1)} days`;
}

const rate = (value: number | null) => (value === null ? "—" : percent(value * 100));
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

function Figure({ testId, label, value, detail }: { testId: string; label: string; value: string; detail: string }) {
  return (
    <div data-testid={testId}>
      <dt className="text-sm text-gray-500">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold text-gray-900">{value}</dd>
      <dd className="mt-1 text-sm text-gray-600">{detail}</dd>
    </div>
  );
}

/** "4 of 20 failed (20.0 %), 3 incidents": the counts stay next to the rate, so a small sample reads as one. */
function groupLine(group: DeploymentGroup): string {
  if (group.deployments === 0) return "no production deployments";
  return `${group.failed} of ${plural(group.deployments, "deployment")} failed (${rate(group.rate)}), ${plural(group.incidents, "incident")}`;
}

/**
 * The repository's delivery figures (DORA's four keys) over the page's range, and change failure of the deployments
 * that shipped AI-written T3/T4 code against those that did not. Definitions: docs/product.md, "Delivery (DORA)".
 */
export function DoraCard({ dora }: { dora: DoraSummary }) {
  const { deploymentFrequency, leadTime, changeFailureRate, timeToRestore, aiSplit } = dora;
  return (
    <Card className="mt-6" data-testid="card-dora">
      <Title>Delivery (DORA), last {dora.days} days</Title>
      <dl className="mt-4 grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Figure
          testId="dora-deployment-frequency"
          label="Deployment frequency"
          value={`${deploymentFrequency.perWeek.toFixed(1)} per week`}
          detail={plural(deploymentFrequency.deployments, "successful production deployment")}
        />
        <Figure
          testId="dora-lead-time"
          label="Lead time for changes (median)"
          value={formatDuration(leadTime.medianMinutes)}
          detail={`from commit to production, over ${plural(leadTime.commits, "commit")} in ${plural(leadTime.deployments, "deployment")}`}
        />
        <Figure
          testId="dora-change-failure-rate"
          label="Change failure rate"
          value={rate(changeFailureRate.rate)}
          detail={`${changeFailureRate.failed} of ${plural(changeFailureRate.deployments, "production deployment")}: ${changeFailureRate.failedByStatus} failed, ${changeFailureRate.failedByIncident} followed by an incident`}
        />
        <Figure
          testId="dora-time-to-restore"
          label="Time to restore (median)"
          value={formatDuration(timeToRestore.medianMinutes)}
          detail={`${plural(timeToRestore.resolved, "resolved incident")}, ${timeToRestore.unresolved} still open`}
        />
      </dl>
      <div className="mt-6 border-t border-gray-100 pt-4" data-testid="dora-ai-split">
        <p className="text-sm font-medium text-gray-900">Change failure with and without AI-written code in T3/T4 files</p>
        <dl className="mt-2 grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
          <dt className="text-gray-500">Shipped AI-written T3/T4 code</dt>
          <dd data-testid="dora-ai-group">{groupLine(aiSplit.aiHighRisk)}</dd>
          <dt className="text-gray-500">Did not</dt>
          <dd data-testid="dora-other-group">{groupLine(aiSplit.other)}</dd>
        </dl>
        {aiSplit.comparable ? null : (
          <p className="mt-2 text-sm text-gray-600" data-testid="dora-too-few">
            Too few deployments to compare: each side needs at least {aiSplit.minimumDeployments}.
          </p>
        )}
      </div>
    </Card>
  );
}
