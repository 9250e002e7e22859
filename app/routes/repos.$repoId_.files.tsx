import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Card, TableCell, TableRow, Title } from "@tremor/react";
import { z } from "zod";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { ChartCard } from "~/components/charts/ChartCard.tsx";
import { Pill } from "~/components/Pill.tsx";
import { Breadcrumb } from "~/components/ui/Breadcrumb.tsx";
import { DataTable, right, type Column } from "~/components/ui/DataTable.tsx";
import { FilterForm, FilterSelect } from "~/components/ui/FilterForm.tsx";
import type { Choice } from "~/components/ui/Select.tsx";
import { getFileHistory } from "~/presenters/file-history.server.ts";
import { DEFAULT_RANGE_DAYS, RANGE_DAYS, rangeDaysQuery } from "~/utils/range-days.ts";
import { TIER_LABELS, formatConfidence } from "~/utils/signals.ts";

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [{ title: `${loaded?.file.path ?? "File"} · Sentinel` }];

const RANGE_CHOICES: Choice[] = RANGE_DAYS.map((days) => [days, `Last ${days} days`]);

/**
 * The file is named by `?path=` rather than a splat: a path holds slashes, dots and the odd `#` or `%`, which a query
 * parameter carries encoded while a splat would need its own decoding rules; and `/repos/:repoId/files` stays one route.
 */
const fileQuery = rangeDaysQuery.extend({ path: z.string().min(1).max(4096) });
const repoParams = z.object({ repoId: z.string().uuid() });

const notFound = () => data("File not found", { status: 404 });

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const url = new URL(request.url);
  const repo = repoParams.safeParse(params);
  const query = fileQuery.safeParse({
    path: url.searchParams.get("path") ?? undefined,
    days: url.searchParams.get("days") || undefined,
  });
  // A malformed repository id, a missing path, another organisation's repository and an unknown path all look alike.
  if (!repo.success || (!query.success && !url.searchParams.get("path"))) throw notFound();
  if (!query.success) throw data(query.error.issues.map((issue) => issue.message).join("; "), { status: 400 });
  const { db, clock } = context.services;
  const file = await getFileHistory(db, signedIn.org.orgId, repo.data.repoId, query.data.path, { now: clock.now(), days: query.data.days });
  if (!file) throw notFound();
  return { ...shellOf(signedIn), file };
}

const COMMIT_COLUMNS: Column[] = ["Commit", "Author", "Date", right("AI confidence"), right("Written lines"), "Tier"];

const day = (iso: string) => iso.slice(0, 10);

function TierPill({ tier, title }: { tier: number; title?: string }) {
  return (
    <span title={title} className={`rounded px-1.5 py-0.5 text-xs font-medium ${tier === 4 ? "bg-rose-100 text-rose-900" : tier === 3 ? "bg-amber-100 text-amber-900" : "bg-gray-100 text-gray-800"}`}>
      T{tier}
    </span>
  );
}

export default function FilePage() {
  const { user, org, file } = useLoaderData<typeof loader>();
  const repoLink = `/repos/${file.repository.id}`;
  const hasShare = file.weeks.some((week) => week.aiShare !== null);
  return (
    <AppShell user={user} org={org}>
      <Breadcrumb parent={{ to: repoLink, label: file.repository.fullName }}>File</Breadcrumb>
      <h1 className="mt-2 break-all font-mono text-xl font-semibold tracking-tight" data-testid="file-path">
        {file.path}
      </h1>
      <p className="mt-1 text-sm text-gray-600">
        In{" "}
        <Link to={repoLink} className="text-blue-700 underline">
          {file.repository.fullName}
        </Link>
      </p>
      <FilterForm label="Choose the range">
        <input type="hidden" name="path" value={file.path} />
        <FilterSelect label="Range" name="days" fallback={String(DEFAULT_RANGE_DAYS)} choices={RANGE_CHOICES} />
      </FilterForm>

      <Card className="mt-6" data-testid="file-tier">
        <Title>Risk tier: {TIER_LABELS[file.tier.tier]}</Title>
        <p className="mt-2 text-sm text-gray-700">
          Why: {file.tier.reason}
          {file.tier.fromOverride ? " (set in Settings → Risk)" : ". A repository override in Settings → Risk can change it."}
        </p>
        <p className="mt-1 text-xs text-gray-500">
          This is the tier today&apos;s rules give the path. In each commit the tier drops by one when the file&apos;s AI confidence
          is below 30 %, so human changes are not flagged; the table below shows each commit&apos;s own tier.
        </p>
      </Card>

      <div className="mt-6">
        <ChartCard
          title="AI share of written lines, by week"
          description="Written lines in commits with AI confidence ≥ 50 %, as a share of all lines written in the file that week. Weeks without commits are left blank."
          empty={`No lines written in this file in the last ${file.days} days.`}
          chart={{
            kind: "stackedBars",
            label: `Weekly AI share of the lines written in ${file.path} over the last ${file.days} days`,
            data: hasShare ? file.weeks.map((week) => ({ week: week.week, "AI share": week.aiShare })) : [],
            index: "week",
            series: [{ name: "AI share", color: "violet" }],
            valueFormatter: (value: number) => `${Math.round(value)} %`,
          }}
        />
      </div>

      <Card className="mt-6">
        <Title>Commits, newest first</Title>
        {file.moreCommits ? (
          <p className="mt-1 text-sm text-gray-600">Only the newest {file.commits.length} commits of the last {file.days} days are listed.</p>
        ) : null}
        {file.commits.length === 0 ? (
          <p className="mt-4 text-sm text-gray-500" data-testid="file-commits-empty">
            No commits changed this file in the last {file.days} days.
          </p>
        ) : (
          <DataTable className="mt-2" columns={COMMIT_COLUMNS}>
            {file.commits.map((commit) => (
              <TableRow key={commit.sha} data-testid="file-commit">
                <TableCell className="font-mono text-xs">
                  {commit.eventId === null ? (
                    <span title={commit.headline ?? undefined}>{commit.sha.slice(0, 8)}</span>
                  ) : (
                    <Link to={`/events/${commit.eventId}`} className="text-blue-700 underline" title={commit.headline ?? undefined}>
                      {commit.sha.slice(0, 8)}
                    </Link>
                  )}
                </TableCell>
                <TableCell className="max-w-[12rem] truncate" title={commit.authorName ?? undefined}>
                  {commit.authorName ?? "unknown"}
                </TableCell>
                <TableCell>{day(commit.authoredAt)}</TableCell>
                <TableCell className="text-right">{formatConfidence(commit.aiConfidence)}</TableCell>
                <TableCell className="text-right">{commit.writtenLines}</TableCell>
                <TableCell>
                  <TierPill tier={commit.riskTier} title={commit.riskReasons.join("; ")} />
                </TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
      </Card>

      <Card className="mt-6">
        <Title>Incidents its commits were suspected in</Title>
        {file.incidents.length === 0 ? (
          <p className="mt-4 text-sm text-gray-500" data-testid="file-incidents-empty">
            None of this file&apos;s commits in the last {file.days} days is a suspect of an incident.
          </p>
        ) : (
          <ul className="mt-3 space-y-2 text-sm">
            {file.incidents.map((incident) => (
              <li key={incident.id} data-testid="file-incident">
                <Pill tone={incident.severity === "sev1" || incident.severity === "sev2" ? "critical" : "warning"} className="mr-2">
                  {incident.severity}
                </Pill>
                <Link to={`/incidents/${incident.id}`} className="text-blue-700 underline">
                  {incident.title}
                </Link>{" "}
                <span className="text-gray-600">
                  · {day(incident.startedAt)} · suspect {incident.commitShas.map((sha) => sha.slice(0, 8)).join(", ")}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </AppShell>
  );
}
