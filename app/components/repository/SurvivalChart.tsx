import { Text } from "@tremor/react";
import { AI_AND_HUMAN, ChartCard } from "~/components/charts/ChartCard.tsx";
import type { RepoOverview } from "~/presenters/repository.server.ts";
import { percent } from "./percent.ts";

/** The share of AI and human lines still alive by age, and each one's half-life. */
export function SurvivalChart({ survival }: { survival: RepoOverview["survival"] }) {
  return (
    <ChartCard
      title="Line survival, AI vs human"
      empty="No survival cohorts yet: they are computed nightly once lines are a week old."
      chart={{
        kind: "line",
        label: "Share of lines still alive by age in days, AI and human",
        data: mergeSurvival(survival.ai, survival.human),
        index: "days",
        series: AI_AND_HUMAN,
        valueFormatter: percent,
      }}
    >
      <Text className="mt-2">
        Half-life: AI {formatDays(survival.aiHalfLifeDays)},
        human {formatDays(survival.humanHalfLifeDays)} (oldest
        weekly cohort with a curve).
      </Text>
    </ChartCard>
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
