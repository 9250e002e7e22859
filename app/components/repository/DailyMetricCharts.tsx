import { AreaChart, Card, LineChart, Text, Title } from "@tremor/react";
import { ChartSlot } from "~/components/Hydrated.tsx";
import type { RepoMetricsPoint } from "~/presenters/repository.server.ts";
import { ChartLegend } from "./ChartLegend.tsx";
import { percent } from "./percent.ts";

/** Two cards from the daily metrics: the AI share per day, and the AI and human tax per day. */
export function DailyMetricCharts({ metrics }: { metrics: RepoMetricsPoint[] }) {
  const series = metrics.map((row) => ({
    date: row.date,
    "AI share": row.aiPercentage,
    "AI tax": row.aiTax === null ? null : row.aiTax * 100,
    "Human tax": row.humanTax === null ? null : row.humanTax * 100,
  }));
  return (
    <>
      <Card>
        <Title>AI share per day</Title>
        <Text className="mt-1">
          Each day&apos;s written lines, at the prior fitted over the 90 days
          ending with it
        </Text>
        {series.length === 0 ? (
          <NoMetrics />
        ) : (
          <ChartSlot label="Estimated AI share of written lines per day">
            {() => (
              <AreaChart
                className="h-56"
                data={series}
                index="date"
                categories={["AI share"]}
                colors={["violet"]}
                valueFormatter={percent}
                showLegend={false}
              />
            )}
          </ChartSlot>
        )}
      </Card>
      <Card>
        <Title>AI tax and human tax per day</Title>
        {series.length === 0 ? (
          <NoMetrics />
        ) : (
          <>
            <ChartSlot label="Share of changed lines spent reworking young AI and human lines, per day">
              {() => (
                <LineChart
                  className="h-56"
                  data={series}
                  index="date"
                  categories={["AI tax", "Human tax"]}
                  colors={["rose", "gray"]}
                  valueFormatter={percent}
                  connectNulls
                  showLegend={false}
                />
              )}
            </ChartSlot>
            <ChartLegend
              items={[
                ["AI tax", "bg-rose-500"],
                ["Human tax", "bg-gray-500"],
              ]}
            />
          </>
        )}
      </Card>
    </>
  );
}

function NoMetrics() {
  return (
    <p className="mt-4 text-sm text-gray-500">
      No daily metrics yet: they are computed every night, or now with{" "}
      <code>npx sentinel metrics recompute</code>.
    </p>
  );
}
