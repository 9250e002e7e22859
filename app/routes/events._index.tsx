import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { Badge, Card, TableCell, TableRow } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { DataTable, right } from "~/components/ui/DataTable.tsx";
import { EmptyState } from "~/components/ui/EmptyState.tsx";
import { FilterForm, FilterSelect, RepositoryFilter } from "~/components/ui/FilterForm.tsx";
import type { Choice } from "~/components/ui/Select.tsx";
import { eventFeedQuery, listEvents } from "~/presenters/events.server.ts";
import { EVENT_TYPES } from "~/utils/event-types.ts";
import { listRepositoryOptions } from "~/presenters/repositories.server.ts";
import { formatConfidence } from "~/utils/signals.ts";

export const meta: MetaFunction = () => [{ title: "Events · Sentinel" }];

const TYPE_CHOICES: Choice[] = [["", "All types"], ...EVENT_TYPES];
const CONFIDENCE_CHOICES: Choice[] = [["", "Any"], ["0.5", "50 % or more"], ["0.8", "80 % or more"]];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, org } = await requireOrganization(request, context);
  const url = new URL(request.url);
  const parsed = eventFeedQuery.safeParse(Object.fromEntries([...url.searchParams].filter(([, value]) => value !== "")));
  if (!parsed.success) {
    throw data(parsed.error.issues.map((issue) => issue.message).join("; "), { status: 400 });
  }
  const [feed, repositories] = await Promise.all([
    listEvents(context.services.db, org.orgId, parsed.data),
    listRepositoryOptions(context.services.db, org.orgId),
  ]);
  return {
    ...shellOf({ user, org }),
    feed,
    repositories,
  };
}

export default function Events() {
  const { user, org, feed, repositories } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const nextParams = new URLSearchParams(params);
  if (feed.nextCursor) nextParams.set("cursor", feed.nextCursor);
  return (
    <AppShell user={user} org={org}>
      <h1 className="text-2xl font-semibold tracking-tight">Events</h1>
      <FilterForm label="Filter events" apply="primary">
        <RepositoryFilter repositories={repositories} />
        <FilterSelect label="Type" name="type" choices={TYPE_CHOICES} />
        <FilterSelect label="Minimum AI confidence" name="minConfidence" choices={CONFIDENCE_CHOICES} />
      </FilterForm>
      {feed.events.length === 0 ? (
        <EmptyState>
          No events match. Events arrive from the GitHub App&apos;s webhooks or from <code>npx sentinel import</code>.
        </EmptyState>
      ) : (
        <Card className="mt-6">
          <DataTable columns={["When", "Repository", "Event", "By", right("AI confidence")]}>
            {feed.events.map((event) => (
              <TableRow key={event.id} data-testid="event-row">
                <TableCell className="whitespace-nowrap text-gray-500">{event.timestamp.slice(0, 16).replace("T", " ")}</TableCell>
                <TableCell>{event.repoFullName}</TableCell>
                <TableCell className="max-w-md truncate">
                  <Link to={`/events/${event.id}`} className="text-blue-700 hover:underline">
                    <Badge size="xs" color="gray" className="mr-2">
                      {event.type}
                    </Badge>
                    {event.summary || (event.commitSha ? event.commitSha.slice(0, 7) : "")}
                  </Link>
                </TableCell>
                <TableCell>{event.actor ?? "—"}</TableCell>
                <TableCell className="text-right">
                  {event.type === "commit" ? (event.analysisStatus === "pending" ? "pending" : formatConfidence(event.aiConfidence)) : ""}
                </TableCell>
              </TableRow>
            ))}
          </DataTable>
        </Card>
      )}
      {feed.nextCursor ? (
        <div className="mt-4 text-right">
          <Link to={`?${nextParams.toString()}`} className="text-sm text-blue-700 hover:underline">
            Older events →
          </Link>
        </div>
      ) : null}
    </AppShell>
  );
}
