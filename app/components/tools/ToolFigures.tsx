import { TableCell } from "@tremor/react";
import type { AiToolFigures } from "~/presenters/ai-tools.server.ts";

/** "12.5 %": a 0..1 share as the cards show it. */
function percent(share: number): string {
  return `${(share * 100).toLocaleString("en-US", { maximumFractionDigits: 1 })} %`;
}

/** Why a figure is missing: too small a sample, or no line old enough yet. */
function missing(tool: AiToolFigures): string {
  return tool.insufficientData ? "too few lines" : "not yet";
}

/** The AI tax and survival cells of a tool's row (after its commits and lines). */
export function ToolFigureCells({ tool }: { tool: AiToolFigures }) {
  const cell = (value: number | null, testId: string) => (
    <TableCell className={value === null ? "text-right text-gray-600" : "text-right"} data-testid={testId}>
      {value === null ? missing(tool) : percent(value)}
    </TableCell>
  );
  return (
    <>
      {cell(tool.aiTax, "ai-tool-tax")}
      {cell(tool.survival4Weeks, "ai-tool-survival-4w")}
      {cell(tool.survival12Weeks, "ai-tool-survival-12w")}
    </>
  );
}

/** What the AI tax and survival columns mean, and the minimum sample behind them. */
export function ToolFiguresExplained({ minimumSample }: { minimumSample: { commits: number; writtenLines: number } }) {
  return (
    <p className="mt-2 text-sm text-gray-600" data-testid="ai-tool-figures-explained">
      <strong>AI tax</strong>: of the tool&apos;s AI-written lines followed for 14 days, the share deleted or rewritten
      within them. <strong>Survival</strong>: the share of its lines still present 4 and 12 weeks after they were written
      (Kaplan–Meier, from the weekly survival run). Shown for a tool with at least {minimumSample.commits} AI commits and{" "}
      {minimumSample.writtenLines.toLocaleString("en-US")} written lines in the range; under that, &quot;too few lines&quot;.
    </p>
  );
}
