import { AreaChart, BarChart, Card, LineChart, Text, Title } from "@tremor/react";
import type { ReactNode } from "react";
import { ChartSlot } from "~/components/Hydrated.tsx";
import { ChartLegend } from "~/components/repository/ChartLegend.tsx";

/** A colour tailwind.config.ts safelists, so both Tremor's chart classes and the legend's `bg-…-500` swatch exist. */
export type ChartColor = "blue" | "violet" | "amber" | "emerald" | "rose" | "gray" | "cyan" | "indigo";

/** One category of the data: its key in each row, which is also its name in the tooltip and the legend. */
export type ChartSeries = { name: string; color: ChartColor };

/** The repository page's usual pair: AI lines in violet, human lines in gray, under the keys `AI` and `Human`. */
export const AI_AND_HUMAN: ChartSeries[] = [
  { name: "AI", color: "violet" },
  { name: "Human", color: "gray" },
];

type DrawnChartProps = {
  className: string;
  data: object[];
  index: string;
  categories: string[];
  colors: ChartColor[];
  valueFormatter?: (value: number) => string;
  showLegend: false;
};

/** Lines bridge the days without a value (a null tax, a curve that has ended); bars stack AI on human. */
const DRAW = {
  area: (props: DrawnChartProps) => <AreaChart {...props} />,
  line: (props: DrawnChartProps) => <LineChart {...props} connectNulls />,
  stackedBars: (props: DrawnChartProps) => <BarChart {...props} stack />,
};

/** What to draw: `label` says for screen readers what the chart shows, since the chart itself is an image to them. */
export type ChartSpec = {
  kind: keyof typeof DRAW;
  label: string;
  data: object[];
  index: string;
  series: ChartSeries[];
  valueFormatter?: (value: number) => string;
};

/**
 * A card with a title and one Tremor chart of the given series, drawn after hydration, with the colour key under it
 * and then `children`. Where `empty` is given and there are no rows, the card says it instead of drawing an empty chart.
 */
export function ChartCard({
  title,
  description,
  empty,
  chart,
  children,
}: {
  title: string;
  description?: ReactNode;
  empty?: ReactNode;
  chart: ChartSpec;
  children?: ReactNode;
}) {
  const Draw = DRAW[chart.kind];
  return (
    <Card>
      <Title>{title}</Title>
      {description === undefined ? null : <Text className="mt-1">{description}</Text>}
      {empty !== undefined && chart.data.length === 0 ? (
        <p className="mt-4 text-sm text-gray-500">{empty}</p>
      ) : (
        <>
          <ChartSlot label={chart.label}>
            {() => (
              <Draw
                className="h-56"
                data={chart.data}
                index={chart.index}
                categories={chart.series.map((one) => one.name)}
                colors={chart.series.map((one) => one.color)}
                valueFormatter={chart.valueFormatter}
                showLegend={false}
              />
            )}
          </ChartSlot>
          <SeriesLegend series={chart.series} />
          {children}
        </>
      )}
    </Card>
  );
}

/** A single series is named by the card's title, so only two or more get a colour key. */
function SeriesLegend({ series }: { series: ChartSeries[] }) {
  if (series.length < 2) return null;
  return <ChartLegend items={series.map((one) => [one.name, `bg-${one.color}-500`])} />;
}
