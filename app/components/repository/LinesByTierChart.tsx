import { AI_AND_HUMAN, ChartCard } from "~/components/charts/ChartCard.tsx";
import type { RepoOverview } from "~/presenters/repository.server.ts";

/** Written lines per risk tier, AI and human stacked, with the same figures as a table for screen readers. */
export function LinesByTierChart({ linesByTier }: { linesByTier: RepoOverview["linesByTier"] }) {
  return (
    <ChartCard
      title="Written lines by risk tier"
      chart={{
        kind: "stackedBars",
        label: "Written lines by risk tier, expected AI and human",
        data: linesByTier.map((tier) => ({ tier: tier.tier, AI: tier.ai, Human: tier.human })),
        index: "tier",
        series: AI_AND_HUMAN,
      }}
    >
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
    </ChartCard>
  );
}
