import { Link } from "@remix-run/react";
import { TableCell, TableRow } from "@tremor/react";
import { Pill, type PillTone } from "~/components/Pill.tsx";
import { DataTable, right } from "~/components/ui/DataTable.tsx";
import { formatFractionAsPercent } from "~/utils/format.ts";
import type { PullRequestView } from "~/presenters/pulls.server.ts";
import { formatDuration, reviewLabel } from "./format.ts";

/** T4 and T3 stand out; Pill's colours pass axe's contrast check where Tremor's amber badge does not. */
const TIER_TONES: Record<number, PillTone> = { 1: "info", 2: "info", 3: "warning", 4: "critical" };

export function TierBadge({ tier }: { tier: number | null }) {
  if (tier === null) return <span className="text-gray-600">—</span>;
  return <Pill tone={TIER_TONES[tier] ?? "info"}>T{tier}</Pill>;
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
            {formatFractionAsPercent(pr.aiShare, 0)}
            {pr.aiAssisted ? (
              <Pill tone="info" className="ml-2">
                AI
              </Pill>
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
