import { data, type ActionFunctionArgs, type AppLoadContext, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { Card, TableCell, TableRow, Title } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { DataTable, right, type Column } from "~/components/ui/DataTable.tsx";
import { IntentButton } from "~/components/ui/IntentButton.tsx";
import { Pagination } from "~/components/ui/Pagination.tsx";
import { SettingsPage } from "~/components/ui/SettingsPage.tsx";
import { actOnFailedJobs, loadQueuesOverview } from "../../application/operations/failed-jobs.server.ts";
import { formatRelativeTime } from "~/utils/format.ts";

export const meta: MetaFunction = () => [{ title: "Queues · Sentinel" }];

const STATES = ["waiting", "active", "delayed", "failed", "completed"] as const;
const DEPTH_COLUMNS: Column[] = ["Queue", ...STATES.map((state) => right(state, "capitalize"))];
const FAILED_COLUMNS: Column[] = ["Job", "Attempts", "Error", "Failed", { key: "actions", label: <span className="sr-only">Actions</span> }];

/** The queues page is for owners and admins: members are refused like on every admin action. */
async function requireAdmin(request: Request, context: AppLoadContext) {
  const signedIn = await requireOrganization(request, context);
  if (signedIn.org.role === "member") throw new Response("Only owners and admins see the job queues", { status: 403 });
  return signedIn;
}

/** Redis down: say so (503) instead of an unexplained 500. Told apart by name across the bundle boundary (ADR 002). */
async function unlessQueueUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error && error.name === "QueueUnavailableError") {
      throw new Response("The job queue is not answering (is Redis up?). Try again in a moment.", { status: 503 });
    }
    throw error;
  }
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signedIn = await requireAdmin(request, context);
  const url = new URL(request.url);
  const query = Object.fromEntries([...url.searchParams].filter(([, value]) => value !== ""));
  const result = await unlessQueueUnavailable(() => loadQueuesOverview(context.services, signedIn.org.orgId, query));
  if (!result.ok) throw data(result.message, { status: result.code === "QUEUE_NOT_FOUND" ? 404 : 400 });
  const { ok: _ok, ...overview } = result;
  return { ...shellOf(signedIn), ...overview, orgName: signedIn.org.name, now: context.services.clock.now().toISOString() };
}

type ActionResult = { notice?: string; error?: string; fieldErrors?: Record<string, string> };

export async function action({ request, context }: ActionFunctionArgs) {
  const signedIn = await requireAdmin(request, context);
  const form = Object.fromEntries(await request.formData());
  const result = await unlessQueueUnavailable(() => actOnFailedJobs(context.services, signedIn.org.orgId, form));
  if (result.ok) return data<ActionResult>({ notice: result.message });
  // Another organisation's job id answers like an unknown one.
  if (result.code === "JOB_NOT_FOUND") return data<ActionResult>({ error: result.message }, { status: 404 });
  return data<ActionResult>({ error: Object.values(result.fieldErrors).join("; "), fieldErrors: result.fieldErrors }, { status: 400 });
}

function pageLink(queue: string, page: number): string {
  return `/settings/queues?queue=${encodeURIComponent(queue)}&page=${page}`;
}

export default function QueuesSettings() {
  const { user, org, orgName, accessErrors, depth, selected, failed, failedTotal, page, pageCount, scanLimitReached, now } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  return (
    <SettingsPage user={user} org={org}>
      <p className="mt-4 max-w-3xl text-sm text-gray-600">
        Background work runs in four queues shared by everything this Sentinel install does. The counts include every
        organisation&apos;s jobs; failed jobs are listed only when they belong to {orgName}. Failed jobs are kept for 7 days.
      </p>
      {result?.notice ? (
        <p role="status" className="mt-4 max-w-3xl rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900">
          {result.notice}
        </p>
      ) : null}
      {result?.error ? (
        <p role="alert" className="mt-4 max-w-3xl rounded-md border border-rose-300 bg-rose-50 p-3 text-sm text-rose-800">
          {result.error}
        </p>
      ) : null}
      {accessErrors.length > 0 ? (
        <section role="alert" aria-labelledby="access-errors-heading" className="mt-6 max-w-4xl rounded-md border border-rose-300 bg-rose-50 p-4 text-sm text-rose-900">
          <h2 id="access-errors-heading" className="font-medium">
            GitHub refuses Sentinel {accessErrors.length === 1 ? "one repository" : `${accessErrors.length} repositories`}
          </h2>
          <p className="mt-1 text-rose-800">
            Their jobs failed at once instead of retrying. Fix what GitHub says, then retry the failed jobs below; the next
            successful fetch clears the notice.
          </p>
          <ul className="mt-3 space-y-2">
            {accessErrors.map((entry) => (
              <li key={entry.repoId} data-testid="access-error-row">
                <Link to={`/repos/${entry.repoId}`} className="font-mono font-medium underline">
                  {entry.fullName}
                </Link>
                {entry.at ? (
                  <time className="ml-2 text-rose-700" dateTime={entry.at} title={entry.at}>
                    {formatRelativeTime(entry.at, now)}
                  </time>
                ) : null}
                <p className="break-words">{entry.reason}</p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <Card className="mt-6 max-w-4xl">
        <Title>Depth</Title>
        <DataTable className="mt-2" columns={DEPTH_COLUMNS}>
          {depth.map(({ queue, counts }) => (
            <TableRow key={queue} data-testid="queue-depth-row">
              <TableCell>
                <Link
                  to={pageLink(queue, 1)}
                  aria-current={queue === selected ? "page" : undefined}
                  className={`text-blue-700 underline ${queue === selected ? "font-semibold" : ""}`}
                >
                  {queue}
                </Link>
              </TableCell>
              {STATES.map((state) => (
                <TableCell key={state} className="text-right tabular-nums" data-state={state}>
                  {counts[state].toLocaleString("en")}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </DataTable>
      </Card>
      <Card className="mt-6">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 className="text-lg font-medium text-gray-900">
            Failed jobs in <span className="font-mono">{selected}</span> ({failedTotal.toLocaleString("en")})
          </h2>
          {failedTotal > 0 ? (
            <IntentButton intent="retry-all" fields={{ queue: selected }} variant="primary" className="text-sm">
              Retry all {failedTotal.toLocaleString("en")}
            </IntentButton>
          ) : null}
        </div>
        {scanLimitReached ? (
          <p className="mt-2 text-sm text-amber-800">Only the most recent 1,000 failures of this queue are searched; older ones appear once these are dealt with.</p>
        ) : null}
        {failed.length === 0 ? (
          <p className="mt-4 text-sm text-gray-600">No failed jobs of {orgName} in this queue.</p>
        ) : (
          <DataTable className="mt-2" columns={FAILED_COLUMNS}>
            {failed.map((job) => (
              <TableRow key={job.id} data-testid="failed-job-row">
                <TableCell className="align-top">
                  <div className="font-medium text-gray-900">{job.name}</div>
                  <div className="font-mono text-xs text-gray-600">{job.id}</div>
                </TableCell>
                <TableCell className="align-top tabular-nums">
                  {job.attemptsMade} of {job.attempts}
                </TableCell>
                <TableCell className="max-w-xl align-top">
                  <p className="whitespace-pre-wrap break-words font-mono text-xs text-rose-800">{job.failedReason || "(no message)"}</p>
                </TableCell>
                <TableCell className="whitespace-nowrap align-top text-gray-600">
                  <time dateTime={job.failedAt ?? undefined} title={job.failedAt ?? undefined}>
                    {formatRelativeTime(job.failedAt, now)}
                  </time>
                </TableCell>
                <TableCell className="align-top">
                  <div className="flex gap-2">
                    <IntentButton intent="retry" fields={{ queue: selected, jobId: job.id }} label={`Retry ${job.name} ${job.id}`}>
                      Retry
                    </IntentButton>
                    <IntentButton intent="discard" fields={{ queue: selected, jobId: job.id }} variant="rowDanger" label={`Discard ${job.name} ${job.id}`}>
                      Discard
                    </IntentButton>
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
        <Pagination label="Failed jobs pages" page={page} pageCount={pageCount} hrefOf={(target) => pageLink(selected, target)} />
      </Card>
    </SettingsPage>
  );
}
