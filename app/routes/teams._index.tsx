import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Card } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { TeamsTable } from "~/components/teams/TeamsTable.tsx";
import { EmptyState } from "~/components/ui/EmptyState.tsx";
import { FilterForm, FilterSelect } from "~/components/ui/FilterForm.tsx";
import type { Choice } from "~/components/ui/Select.tsx";
import { getTeamList } from "~/presenters/teams.server.ts";
import { DEFAULT_RANGE_DAYS, RANGE_DAYS, rangeDaysQuery } from "~/utils/range-days.ts";

export const meta: MetaFunction = () => [{ title: "Teams · Sentinel" }];

const RANGE_CHOICES: Choice[] = RANGE_DAYS.map((days) => [days, `Last ${days} days`]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const url = new URL(request.url);
  const parsed = rangeDaysQuery.safeParse(Object.fromEntries([...url.searchParams].filter(([key, value]) => key === "days" && value !== "")));
  if (!parsed.success) throw data(parsed.error.issues.map((issue) => issue.message).join("; "), { status: 400 });
  const { db, clock, logger } = context.services;
  const teams = await getTeamList(db, signedIn.org.orgId, { now: clock.now(), days: parsed.data.days, logger });
  return { ...shellOf(signedIn), teams };
}

export default function Teams() {
  const { user, org, teams } = useLoaderData<typeof loader>();
  const nothingShown = teams.data.length === 0 && teams.others === null;
  return (
    <AppShell user={user} org={org}>
      <h1 className="text-2xl font-semibold tracking-tight">Teams</h1>
      <FilterForm label="Choose the range">
        <FilterSelect label="Range" name="days" fallback={String(DEFAULT_RANGE_DAYS)} choices={RANGE_CHOICES} />
      </FilterForm>
      <p className="mt-4 max-w-3xl text-sm text-gray-600" data-testid="teams-privacy">
        {teams.privacy}{" "}
        {teams.perPerson
          ? "Per-person figures are on for this organisation: a team's page lists its people."
          : "Per-person figures are off for this organisation: only an owner can turn them on (Settings → Teams)."}
      </p>
      {nothingShown ? (
        <EmptyState>
          {teams.foldedTeams > 0
            ? `No team has ${3} people or more yet, so none is shown. `
            : "No teams yet. They come from your GitHub organisation's teams (synced daily and on every team change), or an admin makes them in "}
          <Link to="/settings/teams" className="text-blue-700 underline">
            Settings → Teams
          </Link>
          .
        </EmptyState>
      ) : (
        <Card className="mt-6">
          <p className="mb-2 text-sm text-gray-600" data-testid="teams-summary">
            Last {teams.days} days, across the organisation&apos;s repositories. A person in two teams counts in both. AI share is an estimate over
            the team&apos;s written lines (hover for its plausible range).
            {teams.foldedTeams > 0 ? ` ${teams.foldedTeams} smaller team${teams.foldedTeams === 1 ? " is" : "s are"} not shown on ${teams.foldedTeams === 1 ? "its" : "their"} own.` : ""}
          </p>
          <TeamsTable teams={teams.data} others={teams.others} days={teams.days} />
        </Card>
      )}
    </AppShell>
  );
}
