import { TableCell, TableRow } from "@tremor/react";
import { ChartCard, type ChartColor, type ChartSeries } from "~/components/charts/ChartCard.tsx";
import { DataTable, right, type Column } from "~/components/ui/DataTable.tsx";
import type { AiToolCounts, AiToolKind, AiToolsSummary } from "~/presenters/ai-tools.server.ts";

const COLUMNS: Column[] = ["Tool", right("AI commits"), right("Written lines")];

/** The chart has eight safelisted colours: the five busiest tools get one each, the rest share "Other tools". */
const TOOL_COLORS: ChartColor[] = ["violet", "blue", "amber", "emerald", "cyan"];
const OTHER_TOOLS: ChartSeries = { name: "Other tools", color: "indigo" };
const NOT_A_TOOL: Record<Exclude<AiToolKind, "tool">, ChartSeries> = {
  unmarked: { name: "Unmarked", color: "gray" },
  unknown: { name: "Unknown", color: "rose" },
};

function labelOf(tool: AiToolCounts): string {
  return tool.kind === "tool" ? tool.tool : NOT_A_TOOL[tool.kind].name;
}

/** Which bar segment a tool's commits are drawn in. */
function seriesOf(tools: readonly AiToolCounts[]): { series: ChartSeries[]; segmentOf: (tool: AiToolCounts) => string } {
  const named = tools.filter((tool) => tool.kind === "tool");
  const coloured = new Map(named.slice(0, TOOL_COLORS.length).map((tool, index) => [tool.tool, TOOL_COLORS[index]!]));
  const series: ChartSeries[] = [...coloured].map(([name, color]) => ({ name, color }));
  if (named.length > coloured.size) series.push(OTHER_TOOLS);
  for (const kind of ["unmarked", "unknown"] as const) if (tools.some((tool) => tool.kind === kind)) series.push(NOT_A_TOOL[kind]);
  const segmentOf = (tool: AiToolCounts) => (tool.kind !== "tool" ? NOT_A_TOOL[tool.kind].name : coloured.has(tool.tool) ? tool.tool : OTHER_TOOLS.name);
  return { series, segmentOf };
}

/** "Mar 16": the Monday a week starts on, as the axis shows it. */
function weekLabel(week: string): string {
  return new Date(`${week}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
}

function weeklyRows(summary: AiToolsSummary, series: readonly ChartSeries[], segmentOf: (tool: AiToolCounts) => string) {
  return summary.weeks.map((week) => {
    const row: Record<string, string | number> = { week: weekLabel(week.week) };
    for (const one of series) row[one.name] = 0;
    for (const tool of week.tools) row[segmentOf(tool)] = Number(row[segmentOf(tool)]) + tool.commits;
    return row;
  });
}

/**
 * AI commits per ISO week, stacked by the tool that wrote them, and each tool's commits and written lines over the
 * range. The tool is the one the commit's strongest agent marker names.
 */
export function AiToolsCard({ tools: summary }: { tools: AiToolsSummary }) {
  const { series, segmentOf } = seriesOf(summary.tools);
  return (
    <div className="mt-6" data-testid="card-ai-tools">
      <ChartCard
        title={`AI commits by tool, last ${summary.days} days`}
        empty={`No commit of the last ${summary.days} days was judged AI-written.`}
        chart={{
          kind: "stackedBars",
          label: "AI commits per week, stacked by the AI tool that wrote them",
          data: summary.tools.length === 0 ? [] : weeklyRows(summary, series, segmentOf),
          index: "week",
          series,
        }}
      >
        <DataTable className="mt-4" columns={COLUMNS} data-testid="ai-tools-table">
          {summary.tools.map((tool) => (
            <TableRow key={tool.tool} data-testid="ai-tool">
              <TableCell>{labelOf(tool)}</TableCell>
              <TableCell className="text-right">{tool.commits.toLocaleString("en-US")}</TableCell>
              <TableCell className="text-right">{tool.writtenLines.toLocaleString("en-US")}</TableCell>
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
      </ChartCard>
    </div>
  );
}
