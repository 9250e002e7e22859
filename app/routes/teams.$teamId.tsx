import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Card, TableCell, TableRow } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { number, percent, shareRange, toolsText } from "~/components/teams/TeamsTable.tsx";
import { Breadcrumb } from "~/components/ui/Breadcrumb.tsx";
import { DataTable, right } from "~/components/ui/DataTable.tsx";
import { FilterForm, FilterSelect } from "~/components/ui/FilterForm.tsx";
import type { Choice } from "~/components/ui/Select.tsx";
import { getTeamPage } from "~/presenters/teams.server.ts";
import { DEFAULT_RANGE_DAYS, RANGE_DAYS, rangeDaysQuery } from "~/utils/range-days.ts";

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [{ title: `${loaded?.team.data.name ?? "Team"} · Teams · Sentinel` }];

const RANGE_CHOICES: Choice[] = RANGE_DAYS.map((days) => [days, `Last ${days} days`]);

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const url = new URL(request.url);
  const parsed = rangeDaysQuery.safeParse(Object.fromEntries([...url.searchParams].filter(([key, value]) => key === "days" && value !== "")));
  if (!parsed.success) throw data(parsed.error.issues.map((issue) => issue.message).join("; "), { status: 400 });
  const { db, clock, logger } = context.services;
  const team = await getTeamPage(db, signedIn.org.orgId, params.teamId ?? "", { now: clock.now(), days: parsed.data.days, logger });
  // Unknown, or another organisation's: the same 404, so an id never confirms that a team exists elsewhere.
  if (!team) throw data("Team not found", { status: 404 });
  return { ...shellOf(signedIn), team, canChangePrivacy: signedIn.org.role === "owner" };
}

const PEOPLE_COLUMNS = ["Person", right("Commits"), right("AI commits"), right("Written lines"), right("AI share"), right("PRs merged"), right("Merged without review")];

function Figure({ label, value, title, testId }: { label: string; value: string; title?: string; testId: string }) {
  return (
    <div data-testid={testId}>
      <dt className="text-xs text-gray-500">{label}</dt>
      <dd className="text-lg font-semibold" title={title}>
        {value}
      </dd>
    </div>
  );
}

export default function TeamPage() {
  const { user, org, team, canChangePrivacy } = useLoaderData<typeof loader>();
  const { data: detail } = team;
  const figures = detail.figures;
  return (
    <AppShell user={user} org={org}>
      <Breadcrumb parent={{ to: `/teams?days=${team.days}`, label: "Teams" }}>{detail.name}</Breadcrumb>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">{detail.name}</h1>
      <p className="mt-1 text-sm text-gray-600">
        {detail.source === "github" ? "A GitHub team (synced daily and on every team change)" : "A team made in Settings → Teams"} · {number(detail.people)}{" "}
        {detail.people === 1 ? "person" : "people"}
      </p>
      <FilterForm label="Choose the range">
        <FilterSelect label="Range" name="days" fallback={String(DEFAULT_RANGE_DAYS)} choices={RANGE_CHOICES} />
      </FilterForm>
      <p className="mt-4 max-w-3xl text-sm text-gray-600" data-testid="teams-privacy">
        {team.privacy}
      </p>
      {figures === null ? (
        <p className="mt-6 max-w-3xl rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900" data-testid="team-folded">
          This team has fewer than 3 people, so its figures are not shown on their own: they are counted in &quot;Others&quot; on the{" "}
          <Link to="/teams" className="underline">
            Teams
          </Link>{" "}
          page (when Others has 3 people or more).
        </p>
      ) : (
        <>
          <Card className="mt-6" data-testid="team-figures">
            <p className="text-sm text-gray-600">Last {team.days} days, across the organisation&apos;s repositories.</p>
            <dl className="mt-3 grid grid-cols-2 gap-4 sm:grid-cols-4">
              <Figure testId="team-commits" label="Commits" value={number(figures.commits)} />
              <Figure testId="team-ai-commits" label="AI commits" value={number(figures.aiCommits)} />
              <Figure testId="team-written-lines" label="Written lines" value={number(figures.writtenLines)} />
              <Figure testId="team-ai-share" label="AI share (estimate)" value={percent(figures.aiShare)} title={shareRange(figures)} />
              <Figure testId="team-active-people" label="People with commits" value={number(figures.activePeople)} />
              <Figure testId="team-prs-merged" label="PRs merged" value={number(figures.prsMerged)} />
              <Figure testId="team-prs-unreviewed" label="Merged without review" value={number(figures.prsMergedWithoutReview)} />
            </dl>
            <p className="mt-3 text-sm" data-testid="team-tools">
              <span className="text-gray-500">AI commits by tool:</span> {toolsText(figures.aiCommitsByTool)}
            </p>
          </Card>
          {detail.members ? (
            <Card className="mt-6">
              <h2 className="text-lg font-medium">People</h2>
              <DataTable columns={PEOPLE_COLUMNS} data-testid="team-people" className="mt-2">
                {detail.members.map((person) => (
                  <TableRow key={person.login} data-testid="team-person-row">
                    <TableCell>{person.login}</TableCell>
                    <TableCell className="text-right">{number(person.commits)}</TableCell>
                    <TableCell className="text-right">{number(person.aiCommits)}</TableCell>
                    <TableCell className="text-right">{number(person.writtenLines)}</TableCell>
                    <TableCell className="text-right">{percent(person.aiShare)}</TableCell>
                    <TableCell className="text-right">{number(person.prsMerged)}</TableCell>
                    <TableCell className="text-right">{number(person.prsMergedWithoutReview)}</TableCell>
                  </TableRow>
                ))}
              </DataTable>
            </Card>
          ) : (
            <p className="mt-6 max-w-3xl text-sm text-gray-600" data-testid="team-people-off">
              Per-person figures are off for this organisation, so the team is shown as a whole.{" "}
              {canChangePrivacy ? (
                <>
                  As an owner, you can turn them on in{" "}
                  <Link to="/settings/teams" className="text-blue-700 underline">
                    Settings → Teams
                  </Link>
                  .
                </>
              ) : (
                "Only an owner of the organisation can turn them on."
              )}
            </p>
          )}
        </>
      )}
    </AppShell>
  );
}
