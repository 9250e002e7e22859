import { Link } from "@remix-run/react";
import { Badge, TableCell, TableRow } from "@tremor/react";
import { DataTable, right } from "~/components/ui/DataTable.tsx";
import type { PullRequestView } from "~/presenters/pulls.server.ts";
import { formatDuration, formatFraction, reviewLabel } from "./format.ts";

const TIER_COLORS = { 1: "gray", 2: "blue", 3: "amber", 4: "rose" } as const;

export function TierBadge({ tier }: { tier: number | null }) {
  if (tier === null) return <span className="text-gray-400">—</span>;
  return (
    <Badge size="xs" color={TIER_COLORS[tier as 1 | 2 | 3 | 4] ?? "gray"}>
      T{tier}
    </Badge>
  );
}

/** The list's rows: each links to its page and to GitHub. */
export function PullRequestTable({ pullRequests }: { pullRequests: readonly PullRequestView[] }) {
  return (
    <DataTable
      columns={["Pull request", "Repository", "Author", "State", right("AI share"), "Agents", "AI tier", "Reviews", right("First review"), right("Cycle time")]}
      data-testid="pull-request-table"
    >
      {pullRequests.map((pr) => (
        <TableRow key={`${pr.repoId}/${pr.number}`} data-testid="pull-request-row">
          <TableCell className="whitespace-normal">
            <Link to={`/repos/${pr.repoId}/pulls/${pr.number}`} className="text-blue-700 hover:underline">
              #{pr.number} {pr.title}
            </Link>{" "}
            <a href={pr.url} className="text-xs text-gray-600 underline" rel="noreferrer" target="_blank">
              GitHub
            </a>
          </TableCell>
          <TableCell>{pr.repoFullName}</TableCell>
          <TableCell>{pr.author ?? "—"}</TableCell>
          <TableCell>{pr.state}</TableCell>
          <TableCell className="text-right">
            {formatFraction(pr.aiShare)}
            {pr.aiAssisted ? (
              <Badge size="xs" color="violet" className="ml-2">
                AI
              </Badge>
            ) : null}
          </TableCell>
          <TableCell className="whitespace-normal">{pr.agents.length > 0 ? pr.agents.join(", ") : "—"}</TableCell>
          <TableCell>
            <TierBadge tier={pr.highestAiRiskTier} />
          </TableCell>
          <TableCell className="whitespace-normal">{reviewLabel(pr.reviews)}</TableCell>
          <TableCell className="text-right">{formatDuration(pr.timeToFirstReviewMinutes)}</TableCell>
          <TableCell className="text-right">{formatDuration(pr.cycleTimeMinutes)}</TableCell>
        </TableRow>
      ))}
    </DataTable>
  );
}
