import { Card, TableCell, TableRow, Title } from "@tremor/react";
import { DataTable, right, type Column } from "~/components/ui/DataTable.tsx";
import type { UnreviewedAiMergesSummary } from "~/presenters/unreviewed-ai-merges.server.ts";
import { formatRelativeTime } from "~/utils/format.ts";

const COLUMNS: Column[] = ["Pull request", "Merged", right("AI T3/T4 files")];

/** "3 of 41 merged pull requests with AI-written T3/T4 changes had no review": the counts say how big the sample is. */
function headline({ unreviewed, aiHighRiskMerged, merged }: UnreviewedAiMergesSummary): string {
  if (aiHighRiskMerged === 0) return `None of ${merged.toLocaleString("en-US")} merged pull requests had AI-written T3/T4 changes.`;
  return `${unreviewed.toLocaleString("en-US")} of ${aiHighRiskMerged.toLocaleString("en-US")} merged pull requests with AI-written T3/T4 changes had no review (${merged.toLocaleString("en-US")} merged in all).`;
}

/**
 * The pull requests merged over the page's range without a review by someone other than their author although their
 * commits hold AI-written code in T3/T4 files. Definition: docs/product.md, "AI-written T3/T4 changes merged without a
 * review".
 */
export function UnreviewedAiMergesCard({ merges, now }: { merges: UnreviewedAiMergesSummary; now: string }) {
  return (
    <Card className="mt-6" data-testid="card-unreviewed-ai-merges">
      <Title>AI-written T3/T4 changes merged without a review, last {merges.days} days</Title>
      <p className="mt-2 text-sm text-gray-600" data-testid="unreviewed-ai-merges-headline">
        {headline(merges)}
      </p>
      {merges.pullRequests.length > 0 ? (
        <DataTable className="mt-4" columns={COLUMNS} data-testid="unreviewed-ai-merges-table">
          {merges.pullRequests.map((pr) => (
            <TableRow key={pr.number} data-testid="unreviewed-ai-merge">
              <TableCell className="whitespace-normal">
                #{pr.number}
                {pr.title ? ` ${pr.title}` : ""}
              </TableCell>
              <TableCell title={pr.mergedAt}>{formatRelativeTime(pr.mergedAt, now)}</TableCell>
              <TableCell className="text-right">{pr.aiHighRiskFiles.toLocaleString("en-US")}</TableCell>
            </TableRow>
          ))}
        </DataTable>
      ) : null}
    </Card>
  );
}
