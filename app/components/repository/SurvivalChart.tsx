import { Card, LineChart, Text, Title } from "@tremor/react";
import { ChartSlot } from "~/components/Hydrated.tsx";
import type { RepoOverview } from "~/presenters/repository.server.ts";
import { ChartLegend } from "./ChartLegend.tsx";
import { percent } from "./percent.ts";

/** The share of AI and human lines still alive by age, and each one's half-life. */
export function SurvivalChart({ survival }: { survival: RepoOverview["survival"] }) {
  const points = mergeSurvival(survival.ai, survival.human);
  return (
    <Card>
      <Title>Line survival, AI vs human</Title>
      {points.length === 0 ? (
        <p className="mt-4 text-sm text-gray-500">
          No survival cohorts yet: they are computed nightly once lines are
          a week old.
        </p>
      ) : (
        <>
          <ChartSlot label="Share of lines still alive by age in days, AI and human">
            {() => (
              <LineChart
                className="h-56"
                data={points}
                index="days"
                categories={["AI", "Human"]}
                colors={["violet", "gray"]}
                valueFormatter={percent}
                connectNulls
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
          <Text className="mt-2">
            Half-life: AI {formatDays(survival.aiHalfLifeDays)},
            human {formatDays(survival.humanHalfLifeDays)} (oldest
            weekly cohort with a curve).
          </Text>
        </>
      )}
    </Card>
  );
}

function formatDays(days: number | null): string {
  return days === null ? "—" : `${Math.round(days)} d`;
}

/** Two step curves on one axis: each day where either changes, with the other carried forward. */
function mergeSurvival(
  ai: { days: number; survival: number }[],
  human: { days: number; survival: number }[]
) {
  const days = [
    ...new Set([
      0,
      ...ai.map((point) => point.days),
      ...human.map((point) => point.days),
    ]),
  ].sort((x, y) => x - y);
  const at = (curve: { days: number; survival: number }[], day: number) => {
    if (curve.length === 0) return null;
    let value = 1;
    for (const point of curve) if (point.days <= day) value = point.survival;
    return value * 100;
  };
  if (ai.length === 0 && human.length === 0) return [];
  return days.map((day) => ({
    days: day,
    AI: at(ai, day),
    Human: at(human, day),
  }));
}
