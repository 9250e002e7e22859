import { Link } from "@remix-run/react";
import { TableCell, TableRow } from "@tremor/react";
import type { z } from "zod";
import type { teamFiguresSchema } from "~/presenters/teams.server.ts";
import { DataTable, right } from "../ui/DataTable.tsx";

/** A group's figures as the presenter gives them (teamFiguresSchema). */
export type TeamFigures = z.infer<typeof teamFiguresSchema>;

export const number = (value: number) => value.toLocaleString("en-US");

/** "42.0 %" with its plausible range in the title; "—" without written lines. */
export function percent(value: number | null): string {
  return value === null ? "—" : `${(value * 100).toFixed(1)} %`;
}

export function shareRange(figures: Pick<TeamFigures, "aiShareLow" | "aiShareHigh">): string | undefined {
  return figures.aiShareLow === null || figures.aiShareHigh === null ? undefined : `plausible range ${percent(figures.aiShareLow)} – ${percent(figures.aiShareHigh)}`;
}

export function toolsText(tools: TeamFigures["aiCommitsByTool"]): string {
  return tools.length === 0 ? "—" : tools.map((tool) => `${tool.tool} ${number(tool.commits)}`).join(", ");
}

const COLUMNS = ["Team", right("People"), right("Commits"), right("AI commits"), right("Written lines"), right("AI share"), "AI commits by tool", right("PRs merged"), right("Merged without review")];

function FigureCells({ figures }: { figures: TeamFigures }) {
  return (
    <>
      <TableCell className="text-right">{number(figures.commits)}</TableCell>
      <TableCell className="text-right">{number(figures.aiCommits)}</TableCell>
      <TableCell className="text-right">{number(figures.writtenLines)}</TableCell>
      <TableCell className="text-right" title={shareRange(figures)}>
        {percent(figures.aiShare)}
      </TableCell>
      <TableCell className="whitespace-normal text-xs">{toolsText(figures.aiCommitsByTool)}</TableCell>
      <TableCell className="text-right">{number(figures.prsMerged)}</TableCell>
      <TableCell className="text-right">{number(figures.prsMergedWithoutReview)}</TableCell>
    </>
  );
}

/** The organisation's teams (3 people or more), then "Others" when it may be shown. */
export function TeamsTable({
  teams,
  others,
  days,
}: {
  teams: ReadonlyArray<{ id: string; name: string; source: "github" | "manual"; people: number; figures: TeamFigures }>;
  others: { people: number; teams: number; figures: TeamFigures } | null;
  days: number;
}) {
  return (
    <DataTable columns={COLUMNS} data-testid="teams-table">
      {teams.map((team) => (
        <TableRow key={team.id} data-testid="team-row">
          <TableCell>
            <Link to={`/teams/${team.id}?days=${days}`} className="font-medium text-blue-700 hover:underline">
              {team.name}
            </Link>
            {team.source === "manual" ? <span className="ml-2 text-xs text-gray-500">manual</span> : null}
          </TableCell>
          <TableCell className="text-right">{number(team.people)}</TableCell>
          <FigureCells figures={team.figures} />
        </TableRow>
      ))}
      {others ? (
        <TableRow data-testid="team-others-row">
          <TableCell>
            Others <span className="text-xs text-gray-500">({others.teams} smaller teams together)</span>
          </TableCell>
          <TableCell className="text-right">{number(others.people)}</TableCell>
          <FigureCells figures={others.figures} />
        </TableRow>
      ) : null}
    </DataTable>
  );
}
