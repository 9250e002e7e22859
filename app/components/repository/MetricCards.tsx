import { Card, Metric, Text } from "@tremor/react";
import type { RepoOverview } from "~/presenters/repository.server.ts";
import { formatDetectorVersions, formatFractionAsPercent, formatShareRange, percentOfFraction } from "~/utils/format.ts";

const taxPercent = (value: number | null) =>
  value === null ? "—" : `${(value * 100).toFixed(1)} %`;

/** The four headline figures: AI share (with its range and detector versions), AI tax, high-risk files, incidents. */
export function MetricCards({
  cards,
  detectorVersions,
}: {
  cards: RepoOverview["cards"];
  detectorVersions: string[];
}) {
  return (
    <div className="mt-6 grid grid-cols-2 gap-4 lg:grid-cols-4">
      <Card data-testid="card-ai-share">
        <Text>AI share of written lines</Text>
        <Metric>
          {formatFractionAsPercent(cards.aiShare)}
          {formatShareRange(percentOfFraction(cards.aiShareLow), percentOfFraction(cards.aiShareHigh)) ? (
            <span className="ml-2 inline-block whitespace-nowrap text-base font-normal text-gray-500">
              ({formatShareRange(percentOfFraction(cards.aiShareLow), percentOfFraction(cards.aiShareHigh))})
            </span>
          ) : null}
        </Metric>
        <Text className="mt-1">
          estimated from {cards.writtenLines.toLocaleString("en-US")} written
          lines
        </Text>
        <p
          className="mt-1 text-xs text-gray-500"
          data-testid="detector-version"
        >
          {formatDetectorVersions(detectorVersions)}
        </p>
      </Card>
      <Card data-testid="card-ai-tax">
        <Text>AI tax (rework of young AI lines)</Text>
        <Metric>{taxPercent(cards.aiTax)}</Metric>
      </Card>
      <Card data-testid="card-high-risk">
        <Text>High-risk files changed by AI</Text>
        <Metric>{cards.highRiskFiles}</Metric>
      </Card>
      <Card data-testid="card-incidents">
        <Text>Incidents</Text>
        <Metric>{cards.incidents}</Metric>
        <Text className="mt-1">{cards.openIncidents} open</Text>
      </Card>
    </div>
  );
}
