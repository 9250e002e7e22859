import { Card, Title } from "@tremor/react";
import { Pill } from "~/components/Pill.tsx";
import type { RepoOverview } from "~/presenters/repository.server.ts";
import { formatRelativeTime } from "~/utils/format.ts";
import { percent } from "./percent.ts";

/** The hourly review-queue snapshot and the open pull requests, AI ones badged. */
export function ReviewQueueCard({
  reviewQueue,
  openPullRequests,
  now,
}: {
  reviewQueue: RepoOverview["reviewQueue"];
  openPullRequests: RepoOverview["openPullRequests"];
  now: string;
}) {
  return (
    <Card>
      <Title>Review queue</Title>
      {reviewQueue ? (
        <dl className="mt-2 grid grid-cols-2 gap-2 text-sm">
          <dt className="text-gray-500">Waiting for a first review</dt>
          <dd>{reviewQueue.waiting}</dd>
          <dt className="text-gray-500">Hanging (over 3 days)</dt>
          <dd>{reviewQueue.hanging}</dd>
          <dt className="text-gray-500">Median pickup</dt>
          <dd>{formatMinutes(reviewQueue.medianPickupMinutes)}</dd>
          <dt className="text-gray-500">AI share of the waiting PRs</dt>
          <dd>
            {reviewQueue.aiWaitingShare === null
              ? "—"
              : percent(reviewQueue.aiWaitingShare * 100)}
          </dd>
        </dl>
      ) : (
        <p className="mt-2 text-sm text-gray-500">
          No snapshot yet: the queue is measured every hour.
        </p>
      )}
      {openPullRequests.length > 0 ? (
        <ul className="mt-4 divide-y divide-gray-100 text-sm">
          {openPullRequests.map((pr) => (
            <li
              key={pr.number}
              className="flex justify-between gap-2 py-1.5"
            >
              <span className="truncate">
                #{pr.number} {pr.title}
                {pr.aiMarkers.length > 0 ? (
                  <Pill tone="info" className="ml-2">
                    AI
                  </Pill>
                ) : null}
              </span>
              <span className="whitespace-nowrap text-gray-500">
                {formatRelativeTime(pr.openedAt, now)}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}

function formatMinutes(minutes: number | null): string {
  if (minutes === null) return "—";
  return minutes < 120
    ? `${Math.round(minutes)} min`
    : `${(minutes / 60).toFixed(1)} h`;
}
