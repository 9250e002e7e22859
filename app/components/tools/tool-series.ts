import type { ChartColor, ChartSeries } from "~/components/charts/ChartCard.tsx";
import type { AiToolCounts, AiToolKind } from "~/presenters/ai-tools.server.ts";

/**
 * The per-tool charts' series, shared by the repository's and the organisation's cards: the chart has eight
 * safelisted colours, so the five busiest tools get one each, the rest share "Other tools".
 */
const TOOL_COLORS: ChartColor[] = ["violet", "blue", "amber", "emerald", "cyan"];
const OTHER_TOOLS: ChartSeries = { name: "Other tools", color: "indigo" };
const NOT_A_TOOL: Record<Exclude<AiToolKind, "tool">, ChartSeries> = {
  unmarked: { name: "Unmarked", color: "gray" },
  unknown: { name: "Unknown", color: "rose" },
};

export function toolLabel(tool: Pick<AiToolCounts, "tool" | "kind">): string {
  return tool.kind === "tool" ? tool.tool : NOT_A_TOOL[tool.kind].name;
}

/** Which bar segment a tool's figures are drawn in. */
export function toolSeries(tools: readonly AiToolCounts[]): { series: ChartSeries[]; segmentOf: (tool: AiToolCounts) => string } {
  const named = tools.filter((tool) => tool.kind === "tool");
  const coloured = new Map(named.slice(0, TOOL_COLORS.length).map((tool, index) => [tool.tool, TOOL_COLORS[index]!]));
  const series: ChartSeries[] = [...coloured].map(([name, color]) => ({ name, color }));
  if (named.length > coloured.size) series.push(OTHER_TOOLS);
  for (const kind of ["unmarked", "unknown"] as const) if (tools.some((tool) => tool.kind === kind)) series.push(NOT_A_TOOL[kind]);
  const segmentOf = (tool: AiToolCounts) => (tool.kind !== "tool" ? NOT_A_TOOL[tool.kind].name : coloured.has(tool.tool) ? tool.tool : OTHER_TOOLS.name);
  return { series, segmentOf };
}

/** "Mar 16": the Monday a week starts on, as the axis shows it. */
export function weekLabel(week: string): string {
  return new Date(`${week}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
}

/** One chart row per week: each series' commits (or written lines) that week. */
export function weeklyToolRows(
  weeks: readonly { week: string; tools: readonly AiToolCounts[] }[],
  series: readonly ChartSeries[],
  segmentOf: (tool: AiToolCounts) => string,
  measure: "commits" | "writtenLines" = "commits",
) {
  return weeks.map((week) => {
    const row: Record<string, string | number> = { week: weekLabel(week.week) };
    for (const one of series) row[one.name] = 0;
    for (const tool of week.tools) row[segmentOf(tool)] = Number(row[segmentOf(tool)]) + tool[measure];
    return row;
  });
}
