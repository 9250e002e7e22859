import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { Card } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { PullRequestComparisonCard } from "~/components/pulls/PullRequestComparisonCard.tsx";
import { PullRequestTable } from "~/components/pulls/PullRequestTable.tsx";
import { EmptyState } from "~/components/ui/EmptyState.tsx";
import { FilterForm, FilterSelect, RepositoryFilter } from "~/components/ui/FilterForm.tsx";
import { Pagination } from "~/components/ui/Pagination.tsx";
import type { Choice } from "~/components/ui/Select.tsx";
import { getPullRequestList, pullRequestListQuery } from "~/presenters/pulls.server.ts";
import { listRepositoryOptions } from "~/presenters/repositories.server.ts";
import { DEFAULT_RANGE_DAYS, RANGE_DAYS } from "~/utils/range-days.ts";

export const meta: MetaFunction = () => [{ title: "Pull requests · Sentinel" }];

const KIND_CHOICES: Choice[] = [["all", "All"], ["ai", "AI-assisted"], ["human", "Human"]];
const RANGE_CHOICES: Choice[] = RANGE_DAYS.map((days) => [days, `Last ${days} days`]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const url = new URL(request.url);
  const parsed = pullRequestListQuery.safeParse(Object.fromEntries([...url.searchParams].filter(([, value]) => value !== "")));
  if (!parsed.success) throw data(parsed.error.issues.map((issue) => issue.message).join("; "), { status: 400 });
  const { db, clock } = context.services;
  const [list, repositories] = await Promise.all([
    getPullRequestList(db, signedIn.org.orgId, parsed.data, clock.now()),
    listRepositoryOptions(db, signedIn.org.orgId),
  ]);
  return { ...shellOf(signedIn), list, kind: parsed.data.kind, repositories };
}

function emptyText(kind: string, filtered: boolean, days: number): string {
  if (!filtered) {
    return `No pull request was opened in the last ${days} days. Sentinel reads pull requests and their reviews from GitHub's pull_request and pull_request_review webhooks: connect GitHub in Setup, or widen the range.`;
  }
  if (kind === "ai") return `No AI-assisted pull request in the last ${days} days for this filter: none carried an agent marker or an AI-written line.`;
  return `No pull request matches this filter in the last ${days} days. Widen the range or pick all repositories.`;
}

export default function PullRequests() {
  const { user, org, list, kind, repositories } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const filtered = params.has("repo") || kind !== "all";
  const hrefOf = (page: number) => {
    const next = new URLSearchParams(params);
    next.set("page", String(page));
    return `?${next.toString()}`;
  };
  return (
    <AppShell user={user} org={org}>
      <h1 className="text-2xl font-semibold tracking-tight">Pull requests</h1>
      <FilterForm label="Filter pull requests">
        <RepositoryFilter repositories={repositories} />
        <FilterSelect label="Kind" name="kind" fallback="all" choices={KIND_CHOICES} />
        <FilterSelect label="Range" name="days" fallback={String(DEFAULT_RANGE_DAYS)} choices={RANGE_CHOICES} />
      </FilterForm>
      <PullRequestComparisonCard summary={list.summary} days={list.days} />
      {list.data.length === 0 ? (
        <EmptyState>{emptyText(kind, filtered, list.days)}</EmptyState>
      ) : (
        <Card className="mt-6">
          <p className="mb-2 text-sm text-gray-600" data-testid="pull-request-total">
            {list.total.toLocaleString("en-US")} pull request{list.total === 1 ? "" : "s"} opened in the last {list.days} days, newest first.
          </p>
          <PullRequestTable pullRequests={list.data} />
          <Pagination label="Pull request pages" page={list.page} pageCount={list.pageCount} hrefOf={hrefOf} />
        </Card>
      )}
    </AppShell>
  );
}
