import { TableCell, TableRow } from "@tremor/react";
import { ChartCard } from "~/components/charts/ChartCard.tsx";
import { ToolFigureCells, ToolFiguresExplained } from "~/components/tools/ToolFigures.tsx";
import { toolLabel, toolSeries, weeklyToolRows } from "~/components/tools/tool-series.ts";
import { DataTable, right, type Column } from "~/components/ui/DataTable.tsx";
import type { AiToolsSummary } from "~/presenters/ai-tools.server.ts";

const COLUMNS: Column[] = ["Tool", right("AI commits"), right("Written lines"), right("AI tax"), right("Survival 4 weeks", "whitespace-normal"), right("Survival 12 weeks", "whitespace-normal")];

/**
 * AI commits per ISO week, stacked by the tool that wrote them, and each tool's commits and written lines over the
 * range. The tool is the one the commit's strongest agent marker names.
 */
export function AiToolsCard({ tools: summary }: { tools: AiToolsSummary }) {
  const { series, segmentOf } = toolSeries(summary.tools);
  return (
    <div className="mt-6" data-testid="card-ai-tools">
      <ChartCard
        title={`AI commits by tool, last ${summary.days} days`}
        empty={`No commit of the last ${summary.days} days was judged AI-written.`}
        chart={{
          kind: "stackedBars",
          label: "AI commits per week, stacked by the AI tool that wrote them",
          data: summary.tools.length === 0 ? [] : weeklyToolRows(summary.weeks, series, segmentOf),
          index: "week",
          series,
        }}
      >
        <DataTable className="mt-4" columns={COLUMNS} data-testid="ai-tools-table">
          {summary.tools.map((tool) => (
            <TableRow key={tool.tool} data-testid="ai-tool">
              <TableCell>{toolLabel(tool)}</TableCell>
              <TableCell className="text-right">{tool.commits.toLocaleString("en-US")}</TableCell>
              <TableCell className="text-right">{tool.writtenLines.toLocaleString("en-US")}</TableCell>
              <ToolFigureCells tool={tool} />
            </TableRow>
          ))}
        </DataTable>
        <p className="mt-3 text-sm text-gray-600" data-testid="ai-tools-explained">
          A commit counts under the tool its strongest agent marker names (a co-author trailer, a bot author, a
          "Generated with" line, an agent branch). <strong>Unmarked</strong>: judged AI-written from its style and
          timing alone; no marker names a tool. <strong>Unknown</strong>: an agent marked it, but it was scored before
          Sentinel recorded which tool left the mark; the worker re-scores such history when it starts (detector 1.3.1 and
          later), and <code>sentinel rescore</code> does it on demand.
        </p>
        <ToolFiguresExplained minimumSample={summary.minimumSample} />
      </ChartCard>
    </div>
  );
}
