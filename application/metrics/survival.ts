import { sql } from "drizzle-orm";
import { replayLineProvenance } from "../../domain/metrics/provenance.ts";
import { cohortSurvival, type CohortSurvival } from "../../domain/metrics/survival.ts";
import { addDays, localClock, startOfLocalDay, weekStartOf } from "../../domain/metrics/time.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { lineSurvival } from "../../infrastructure/db/schema/index.ts";
import { storeToolLineCohorts } from "./ai-tools-lines.ts";
import { loadPatchEvents } from "./provenance-store.ts";
import type { RepositoryScope } from "./repo-metrics.ts";
import { replaceWhenChanged } from "./upsert-changed.ts";

/** The values of a cohort's `line_survival` row, replaced when the weekly job computes it again. */
const SURVIVAL_COLUMNS = [
  "lines_born",
  "lines_died",
  "lines_lost",
  "survival_w_1",
  "survival_w_2",
  "survival_w_4",
  "survival_w_8",
  "survival_w_12",
  "half_life_days",
  "curve",
  "as_of",
] as const;

/** Cohorts followed by the weekly job: half a year covers the 12-week mark with room to spare. */
export const SURVIVAL_COHORT_WEEKS = 26;

/**
 * Survival of AI and human lines per weekly cohort (local Monday), as of local midnight starting `asOfDate`:
 * replays provenance from the oldest cohort onwards, estimates Kaplan–Meier per cohort and upserts
 * `line_survival` (ON CONFLICT … DO UPDATE, only when a value changed); cohorts of those weeks it no longer yields are
 * deleted.
 */
export async function computeRepoSurvival(
  db: Executor,
  scope: RepositoryScope,
  options: { asOfDate: string; weeks?: number },
): Promise<CohortSurvival[]> {
  const asOf = startOfLocalDay(options.asOfDate, scope.timeZone);
  const firstWeek = addDays(weekStartOf(addDays(options.asOfDate, -1)), -7 * ((options.weeks ?? SURVIVAL_COHORT_WEEKS) - 1));
  const from = startOfLocalDay(firstWeek, scope.timeZone);
  const events = await loadPatchEvents(db, scope.repoId, { from, to: asOf });
  const { fates } = replayLineProvenance(events, { until: asOf.getTime() });
  const cohorts = cohortSurvival(fates, {
    asOf: asOf.getTime(),
    cohortOf: (bornAt) => weekStartOf(localClock(new Date(bornAt), scope.timeZone).date),
    cohortStart: (week) => startOfLocalDay(week, scope.timeZone).getTime(),
  });
  if (cohorts.length > 0) {
    await db
      .insert(lineSurvival)
      .values(
        cohorts.map((cohort) => ({
          orgId: scope.orgId,
          repoId: scope.repoId,
          cohortWeek: cohort.cohortWeek,
          authorKind: cohort.authorKind,
          linesBorn: cohort.linesBorn,
          linesDied: cohort.linesDied,
          linesLost: cohort.linesLost,
          survivalW1: cohort.survivalByWeeks[1],
          survivalW2: cohort.survivalByWeeks[2],
          survivalW4: cohort.survivalByWeeks[4],
          survivalW8: cohort.survivalByWeeks[8],
          survivalW12: cohort.survivalByWeeks[12],
          halfLifeDays: cohort.halfLifeDays,
          curve: cohort.curve,
          asOf,
        })),
      )
      .onConflictDoUpdate({
        target: [lineSurvival.repoId, lineSurvival.cohortWeek, lineSurvival.authorKind],
        // Compared: the counts, the curve and as_of (the weekly figures are read off the curve as of as_of).
        ...replaceWhenChanged(lineSurvival, SURVIVAL_COLUMNS, ["lines_born", "lines_died", "lines_lost", "curve", "as_of"]),
      });
  }
  // The same fates, per AI tool (ADR 078): each tool's AI tax and survival.
  await storeToolLineCohorts(db, scope, fates, { asOf, from, firstWeek, lastWeek: weekStartOf(addDays(options.asOfDate, -1)) });
  // A cohort of the window the replay no longer yields (its lines changed sides: a re-score moved a file's AI flag)
  // is gone, not stale: the window's cohorts are exactly the ones just computed.
  const kept = cohorts.map((cohort) => sql`(${cohort.cohortWeek}::date, ${cohort.authorKind})`);
  await db.execute(sql`
    delete from line_survival
    where repo_id = ${scope.repoId} and cohort_week >= ${firstWeek}::date and cohort_week <= ${weekStartOf(addDays(options.asOfDate, -1))}::date
      ${kept.length > 0 ? sql`and (cohort_week, author_kind) not in (${sql.join(kept, sql`, `)})` : sql``}`);
  return cohorts;
}
