import { Link } from "@remix-run/react";
import { Card, Title } from "@tremor/react";
import type { FeedEvent } from "~/presenters/events.server.ts";
import { formatRelativeTime } from "~/utils/format.ts";
import { formatConfidence } from "~/utils/signals.ts";

/** The repository's latest events, each linking to its detail, and a link to all of them. */
export function RecentEventsCard({ events, repoId, now }: { events: FeedEvent[]; repoId: string; now: string }) {
  return (
    <Card>
      <Title>Recent events</Title>
      {events.length === 0 ? (
        <p className="mt-2 text-sm text-gray-500">No events yet.</p>
      ) : (
        <ul className="mt-2 divide-y divide-gray-100 text-sm">
          {events.map((event) => (
            <li
              key={event.id}
              className="flex justify-between gap-2 py-1.5"
              data-testid="recent-event"
            >
              <Link
                to={`/events/${event.id}`}
                className="truncate text-blue-700 hover:underline"
              >
                {event.type}:{" "}
                {event.summary || event.commitSha?.slice(0, 7)}
              </Link>
              <span className="whitespace-nowrap text-gray-500">
                {event.type === "commit"
                  ? `${formatConfidence(event.aiConfidence)} · `
                  : ""}
                {formatRelativeTime(event.timestamp, now)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <Link
        to={`/events?repo=${repoId}`}
        className="mt-3 inline-block text-sm text-blue-700 hover:underline"
      >
        All events of this repository →
      </Link>
    </Card>
  );
}
