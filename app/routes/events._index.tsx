import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { Badge, Card, Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { eventFeedQuery, listEvents } from "~/presenters/events.server.ts";
import { EVENT_TYPES } from "~/utils/event-types.ts";
import { listRepositoryOptions } from "~/presenters/repositories.server.ts";
import { formatConfidence } from "~/utils/signals.ts";

export const meta: MetaFunction = () => [{ title: "Events · Sentinel" }];

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
      <Form method="get" className="mt-4 flex flex-wrap items-end gap-3 text-sm" aria-label="Filter events">
        <label className="flex flex-col gap-1">
          Repository
          <select name="repo" defaultValue={params.get("repo") ?? ""} className="rounded-md border-gray-300 text-sm">
            <option value="">All repositories</option>
            {repositories.map((repo) => (
              <option key={repo.id} value={repo.id}>
                {repo.fullName}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          Type
          <select name="type" defaultValue={params.get("type") ?? ""} className="rounded-md border-gray-300 text-sm">
            <option value="">All types</option>
            {EVENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          Minimum AI confidence
          <select name="minConfidence" defaultValue={params.get("minConfidence") ?? ""} className="rounded-md border-gray-300 text-sm">
            <option value="">Any</option>
            <option value="0.5">50 % or more</option>
            <option value="0.8">80 % or more</option>
          </select>
        </label>
        <button type="submit" className="rounded-md bg-gray-900 px-3 py-2 text-white hover:bg-gray-700">
          Apply
        </button>
      </Form>
      {feed.events.length === 0 ? (
        <p className="mt-8 rounded-lg border border-dashed border-gray-300 bg-white p-8 text-center text-sm text-gray-600">
          No events match. Events arrive from the GitHub App&apos;s webhooks or from <code>npx sentinel import</code>.
        </p>
      ) : (
        <Card className="mt-6">
          <Table>
            <TableHead>
              <TableRow>
                <TableHeaderCell>When</TableHeaderCell>
                <TableHeaderCell>Repository</TableHeaderCell>
                <TableHeaderCell>Event</TableHeaderCell>
                <TableHeaderCell>By</TableHeaderCell>
                <TableHeaderCell className="text-right">AI confidence</TableHeaderCell>
              </TableRow>
            </TableHead>
            <TableBody>
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
            </TableBody>
          </Table>
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
