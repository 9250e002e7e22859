import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Pill } from "~/components/Pill.tsx";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, Card } from "@tremor/react";
import { z } from "zod";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { getEventDetail, type SignalView } from "~/presenters/events.server.ts";
import { TIER_LABELS, formatConfidence, signalLabel } from "~/utils/signals.ts";
import { AI_CONFIDENCE_THRESHOLD } from "../../domain/detection/threshold.ts";
import { filePageLink } from "~/utils/file-link.ts";

export const meta: MetaFunction = () => [{ title: "Event · Sentinel" }];

const params = z.object({ eventId: z.string().regex(/^\d{1,15}$/) });

export async function loader({ request, context, params: raw }: LoaderFunctionArgs) {
  const { user, org } = await requireOrganization(request, context);
  const parsed = params.safeParse(raw);
  // A malformed id and another organisation's id look the same from outside: not found.
  if (!parsed.success) throw new Response("Event not found", { status: 404 });
  const detail = await getEventDetail(context.services.db, org.orgId, Number(parsed.data.eventId));
  if (!detail) throw new Response("Event not found", { status: 404 });
  return { ...shellOf({ user, org }), detail };
}

/** The author's wall-clock time: the hour that the time-of-day signal reads. */
function authorClock(isoUtc: string, offsetMinutes: number | null): string {
  if (offsetMinutes === null) return `${isoUtc.slice(0, 16).replace("T", " ")} UTC`;
  const local = new Date(Date.parse(isoUtc) + offsetMinutes * 60_000).toISOString().slice(0, 16).replace("T", " ");
  return `${local} on the author's clock (UTC${offsetLabel(offsetMinutes)})`;
}

function offsetLabel(minutes: number | null): string {
  if (minutes === null) return "";
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

function SignalList({ signals }: { signals: SignalView[] }) {
  if (signals.length === 0) return <p className="text-sm text-gray-500">No signal fired: nothing suggests an AI agent wrote this.</p>;
  return (
    <ul className="space-y-2">
      {[...signals]
        .sort((a, b) => b.weight - a.weight)
        .map((signal) => (
          <li key={`${signal.id}-${signal.evidence}`} className="flex gap-3 text-sm" data-testid="signal">
            <span className="w-14 shrink-0 text-right font-mono text-gray-500">{signal.weight.toFixed(2)}</span>
            <span>
              <span className="font-medium">{signalLabel(signal.id)}</span>
              <span className="text-gray-600"> — {signal.evidence}</span>
            </span>
          </li>
        ))}
    </ul>
  );
}

export default function EventPage() {
  const { user, org, detail } = useLoaderData<typeof loader>();
  const { event, commit, files } = detail;
  return (
    <AppShell user={user} org={org}>
      <Link to="/events" className="text-sm text-blue-700 hover:underline">
        ← Events
      </Link>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">{event.summary || event.type}</h1>
      <p className="mt-1 text-sm text-gray-500">
        {event.repoFullName} · {event.type} · {event.timestamp.replace("T", " ").slice(0, 19)} UTC
        {event.actor ? ` · ${event.actor}` : ""}
        {event.branch ? ` · ${event.branch}` : ""}
      </p>

      {commit ? (
        <>
          <Card className="mt-6">
            <div className="flex flex-wrap items-baseline justify-between gap-4">
              <div>
                <h2 className="text-lg font-semibold">Why Sentinel thinks this commit is {commit.aiConfidence !== null && commit.aiConfidence >= AI_CONFIDENCE_THRESHOLD ? "" : "not "}AI-written</h2>
                <p className="mt-1 font-mono text-xs text-gray-500">{commit.sha}</p>
                <p className="text-sm text-gray-600">
                  {commit.authorName} &lt;{commit.authorEmail}&gt; · authored {authorClock(commit.authoredAt, commit.authoredOffsetMinutes)}
                </p>
              </div>
              <div className="text-right">
                <div className="text-3xl font-semibold" data-testid="commit-confidence">
                  {commit.analysisStatus === "analyzed" ? formatConfidence(commit.aiConfidence) : commit.analysisStatus}
                </div>
                <div className="text-xs text-gray-500">AI confidence · {commit.detectorVersion ?? "not analysed yet"}</div>
              </div>
            </div>
            {commit.analysisStatus === "skipped" ? <p className="mt-4 text-sm text-gray-600">Skipped: {commit.skipReason}</p> : null}
            {commit.analysisStatus === "analyzed" ? (
              <div className="mt-4">
                <SignalList signals={commit.signals} />
                <p className="mt-3 text-xs text-gray-500">
                  Signals combine with diminishing returns: each adds a share of the doubt that remains, so two strong
                  signals approach but never reach 100 %.
                </p>
              </div>
            ) : null}
          </Card>

          <h2 className="mt-8 text-lg font-semibold">Files</h2>
          {files.length === 0 ? (
            <p className="mt-2 text-sm text-gray-500">No per-file attribution for this commit.</p>
          ) : (
            <div className="mt-3 space-y-3">
              {files.map((file) => (
                <Card key={file.path} data-testid="file-attribution">
                  <div className="flex flex-wrap items-baseline justify-between gap-3">
                    <div>
                      <Link to={filePageLink(event.repoId, file.path)} className="break-all font-mono text-sm text-blue-700 hover:underline">
                        {file.path}
                      </Link>
                      {file.previousPath ? <span className="ml-2 text-xs text-gray-500">(from {file.previousPath})</span> : null}
                      <div className="mt-1 flex flex-wrap gap-2">
                        <Pill tone={file.riskTier >= 3 ? "critical" : "neutral"}>{TIER_LABELS[file.riskTier]}</Pill>
                        <Badge size="xs" color="gray">
                          {file.fileKind}
                        </Badge>
                        {!file.countsTowardShare ? (
                          <Pill tone="warning">not counted in AI share</Pill>
                        ) : null}
                      </div>
                    </div>
                    <div className="text-right text-sm">
                      <div className="font-semibold">{formatConfidence(file.aiConfidence)}</div>
                      <div className="text-gray-500">
                        +{file.linesAdded} −{file.linesDeleted}
                      </div>
                      {file.countsTowardShare && file.writtenLines !== file.linesAdded ? (
                        <div className="text-xs text-gray-500">{file.writtenLines} written</div>
                      ) : null}
                    </div>
                  </div>
                  {file.exclusion ? (
                    <p className="mt-2 text-xs text-amber-800" data-testid="file-exclusion">
                      Lines left out of AI share: {file.exclusion}
                    </p>
                  ) : null}
                  {file.riskReasons.length > 0 ? (
                    <p className="mt-2 text-xs text-gray-600">Risk: {file.riskReasons.join("; ")}</p>
                  ) : null}
                  {file.complexity ? (
                    <p className="mt-1 text-xs text-gray-500">
                      Added code: {file.complexity.functions} functions, {file.complexity.branches} branches, nesting depth{" "}
                      {file.complexity.maxNesting}
                    </p>
                  ) : null}
                  <details className="mt-2">
                    <summary className="cursor-pointer text-xs text-gray-600">Signals for this file</summary>
                    <div className="mt-2">
                      <SignalList signals={file.signals} />
                    </div>
                  </details>
                </Card>
              ))}
            </div>
          )}
        </>
      ) : (
        <Card className="mt-6">
          <pre className="overflow-x-auto text-xs text-gray-700" tabIndex={0} aria-label="Raw payload">
            {JSON.stringify(event.payload, null, 2)}
          </pre>
        </Card>
      )}
    </AppShell>
  );
}
