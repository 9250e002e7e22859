import { Link } from "@remix-run/react";
import { Card, TableCell, TableRow, Title } from "@tremor/react";
import { ChartCard } from "~/components/charts/ChartCard.tsx";
import { DataTable, right, type Column } from "~/components/ui/DataTable.tsx";
import type { OrganisationAiToolsCardData, OrganisationToolCardFigures } from "~/presenters/ai-tools.server.ts";
import { ToolFigureCells, ToolFiguresExplained } from "./ToolFigures.tsx";
import { toolLabel, toolSeries, weeklyToolRows } from "./tool-series.ts";

const COLUMNS: Column[] = [
  "Tool",
  right("AI commits"),
  right("Written lines"),
  right("AI tax"),
  right("Survival 4 weeks", "whitespace-normal"),
  right("Survival 12 weeks", "whitespace-normal"),
  { label: "Repositories", className: "whitespace-normal" },
];

/**
 * A repository by its name without the owner, which every repository of the organisation shares: the table stays
 * narrow, and the overview's repository list keeps the only links named by the full name.
 */
function shortName(fullName: string): string {
  return fullName.slice(fullName.indexOf("/") + 1);
}

/** The busiest repositories a tool wrote in, linked (the loader keeps CARD_REPOSITORIES of them); the rest as a count. */
function ToolRepositories({ tool }: { tool: OrganisationToolCardFigures }) {
  const shown = tool.repositories;
  const more = tool.repositoryCount - shown.length;
  return (
    <TableCell className="whitespace-normal" data-testid="ai-tool-repositories">
      {shown.map((repository, index) => (
        <span key={repository.id}>
          {index > 0 ? ", " : null}
          <Link to={`/repos/${repository.id}`} className="text-blue-700 hover:underline" title={repository.fullName}>
            {shortName(repository.fullName)}
          </Link>
        </span>
      ))}
      {more > 0 ? <span className="text-gray-600">{` and ${more} more`}</span> : null}
    </TableCell>
  );
}

/**
 * The overview's AI tools: AI commits and AI-written lines per ISO week stacked by tool, over the organisation's
 * enabled repositories, and per tool its totals, AI tax, survival and the repositories it wrote in.
 */
export function OrganisationAiToolsCard({ tools: summary }: { tools: OrganisationAiToolsCardData }) {
  const { series, segmentOf } = toolSeries(summary.data);
  const none = summary.data.length === 0;
  const empty = `No commit of the last ${summary.days} days was judged AI-written.`;
  return (
    <section className="mt-6" data-testid="card-organisation-ai-tools" aria-labelledby="organisation-ai-tools-title">
      <h2 id="organisation-ai-tools-title" className="text-lg font-semibold tracking-tight">
        AI tools, last {summary.days} days
      </h2>
      <p className="mt-1 text-sm text-gray-600">Whole ISO weeks in the organisation&apos;s time zone, all enabled repositories together.</p>
      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-2">
        <ChartCard
          title="AI commits per week, by tool"
          empty={empty}
          chart={{ kind: "stackedBars", label: "AI commits per ISO week, stacked by the AI tool that wrote them", data: none ? [] : weeklyToolRows(summary.weeks, series, segmentOf), index: "week", series }}
        />
        <ChartCard
          title="AI-written lines per week, by tool"
          empty={empty}
          chart={{
            kind: "stackedBars",
            label: "Written lines of AI commits per ISO week, stacked by the AI tool that wrote them",
            data: none ? [] : weeklyToolRows(summary.weeks, series, segmentOf, "writtenLines"),
            index: "week",
            series,
          }}
        />
      </div>
      <Card className="mt-4">
        <Title>By tool</Title>
        {none ? (
          <p className="mt-4 text-sm text-gray-500">{empty}</p>
        ) : (
          <DataTable className="mt-4" columns={COLUMNS} data-testid="organisation-ai-tools-table">
            {summary.data.map((tool) => (
              <TableRow key={tool.tool} data-testid="organisation-ai-tool">
                <TableCell className="font-medium text-gray-900">{toolLabel(tool)}</TableCell>
                <TableCell className="text-right">{tool.commits.toLocaleString("en-US")}</TableCell>
                <TableCell className="text-right">{tool.writtenLines.toLocaleString("en-US")}</TableCell>
                <ToolFigureCells tool={tool} />
                <ToolRepositories tool={tool} />
              </TableRow>
            ))}
          </DataTable>
        )}
        <p className="mt-3 text-sm text-gray-600">
          A commit counts under the tool its strongest agent marker names. <strong>Unmarked</strong>: judged AI-written from
          its style and timing alone; no marker names a tool.
        </p>
        <ToolFiguresExplained minimumSample={summary.minimumSample} />
      </Card>
    </section>
  );
}
