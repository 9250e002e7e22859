import { ChartCard } from "~/components/charts/ChartCard.tsx";
import type { RepoMetricsPoint } from "~/presenters/repository.server.ts";
import { percent } from "./percent.ts";

/** Two cards from the daily metrics: the AI share per day, and the AI and human tax per day. */
export function DailyMetricCharts({ metrics }: { metrics: RepoMetricsPoint[] }) {
  const perDay = {
    data: metrics.map((row) => ({
      date: row.date,
      "AI share": row.aiPercentage * 100,
      "AI tax": row.aiTax === null ? null : row.aiTax * 100,
      "Human tax": row.humanTax === null ? null : row.humanTax * 100,
    })),
    index: "date",
    valueFormatter: percent,
  };
  return (
    <>
      <ChartCard
        title="AI share per day"
        description="Each day's written lines, at the prior fitted over the 90 days ending with it"
        empty={<NoMetrics />}
        chart={{ ...perDay, kind: "area", label: "Estimated AI share of written lines per day", series: [{ name: "AI share", color: "violet" }] }}
      />
      <ChartCard
        title="AI tax and human tax per day"
        empty={<NoMetrics />}
        chart={{
          ...perDay,
          kind: "line",
          label: "Share of changed lines spent reworking young AI and human lines, per day",
          series: [
            { name: "AI tax", color: "rose" },
            { name: "Human tax", color: "gray" },
          ],
        }}
      />
    </>
  );
}

function NoMetrics() {
  return (
    <>
      No daily metrics yet: they are computed every night, or now with{" "}
      <code>npx sentinel metrics recompute</code>.
    </>
  );
}
