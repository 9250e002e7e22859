import { Card, TableCell, TableRow, Title } from "@tremor/react";
import { DataTable, right } from "~/components/ui/DataTable.tsx";
import type { PullRequestListResponse } from "~/presenters/pulls.server.ts";
import { formatDuration, formatFraction } from "./format.ts";

type Group = PullRequestListResponse["summary"]["ai"];

/** "1.5 h (median of 12)": a figure always with the size of its sample, so 2 pull requests read as 2. */
function withSample(minutes: number | null, sample: number): string {
  return sample === 0 ? "— (none)" : `${formatDuration(minutes)} (median of ${sample.toLocaleString("en-US")})`;
}

function GroupRow({ label, group, testId }: { label: string; group: Group; testId: string }) {
  return (
    <TableRow data-testid={testId}>
      <TableCell className="font-medium">{label}</TableCell>
      <TableCell className="text-right">{group.pullRequests.toLocaleString("en-US")}</TableCell>
      <TableCell className="text-right">{withSample(group.cycleTimeMedianMinutes, group.merged)}</TableCell>
      <TableCell className="text-right">{formatDuration(group.cycleTimeP75Minutes)}</TableCell>
      <TableCell className="text-right">{withSample(group.timeToFirstReviewMedianMinutes, group.reviewed)}</TableCell>
      <TableCell className="text-right">
        {formatFraction(group.mergedWithoutReviewShare)} ({group.mergedWithoutReview.toLocaleString("en-US")} of {group.merged.toLocaleString("en-US")})
      </TableCell>
    </TableRow>
  );
}

/** AI-assisted vs human pull requests over the range: cycle time, time to first review, merged without review. */
export function PullRequestComparisonCard({ summary, days }: { summary: PullRequestListResponse["summary"]; days: number }) {
  return (
    <Card className="mt-6" data-testid="card-pull-request-comparison">
      <Title>AI-assisted vs human pull requests, opened in the last {days} days</Title>
      <p className="mt-2 text-sm text-gray-600">
        AI-assisted: an agent marker on the pull request, or at least one line its commits wrote in a file judged AI-written
        (confidence ≥ 0.5). Each median says how many pull requests it is over: a handful is not a trend.
      </p>
      <DataTable
        className="mt-4"
        columns={["", right("Pull requests"), right("Cycle time"), right("Cycle time p75"), right("Time to first review"), right("Merged without review")]}
      >
        <GroupRow label="AI-assisted" group={summary.ai} testId="comparison-ai" />
        <GroupRow label="Human" group={summary.human} testId="comparison-human" />
      </DataTable>
      {summary.percentiles === "approximate" ? (
        <p className="mt-2 text-xs text-gray-500" data-testid="comparison-approximate">
          Over this many pull requests the medians and 75th percentiles are read from histograms with 10 % wide buckets: each is within 10 % of
          the exact figure. The counts are exact.
        </p>
      ) : null}
    </Card>
  );
}
