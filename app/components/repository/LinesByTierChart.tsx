import { BarChart, Card, Title } from "@tremor/react";
import { ChartSlot } from "~/components/Hydrated.tsx";
import type { RepoOverview } from "~/presenters/repository.server.ts";
import { ChartLegend } from "./ChartLegend.tsx";

/** Written lines per risk tier, AI and human stacked, with the same figures as a table for screen readers. */
export function LinesByTierChart({ linesByTier }: { linesByTier: RepoOverview["linesByTier"] }) {
  return (
    <Card>
      <Title>Written lines by risk tier</Title>
      <ChartSlot label="Written lines by risk tier, expected AI and human">
        {() => (
          <BarChart
            className="h-56"
            data={linesByTier.map((tier) => ({
              tier: tier.tier,
              AI: tier.ai,
              Human: tier.human,
            }))}
            index="tier"
            categories={["AI", "Human"]}
            colors={["violet", "gray"]}
            stack
            showLegend={false}
          />
        )}
      </ChartSlot>
      <ChartLegend
        items={[
          ["AI", "bg-violet-500"],
          ["Human", "bg-gray-500"],
        ]}
      />
      <table className="sr-only">
        <caption>Written lines by risk tier</caption>
        <tbody>
          {linesByTier.map((tier) => (
            <tr key={tier.tier}>
              <th scope="row">{tier.tier}</th>
              <td>{tier.ai} AI</td>
              <td>{tier.human} human</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
