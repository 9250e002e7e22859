import { Link } from "@remix-run/react";
import { formatRelativeTime } from "~/utils/format.ts";

/** GitHub refused the last fetch: says why, since when, and where an owner retries once it is fixed. */
export function AccessErrorCallout({
  accessError,
  now,
}: {
  accessError: { reason: string; at: string | null };
  now: string;
}) {
  return (
    <div role="alert" data-testid="repo-access-error" className="mt-4 max-w-4xl rounded-md border border-rose-300 bg-rose-50 p-4 text-sm text-rose-900">
      <p className="font-medium">
        GitHub refused Sentinel access to this repository
        {accessError.at ? (
          <>
            {" "}
            <time dateTime={accessError.at} title={accessError.at}>
              {formatRelativeTime(accessError.at, now)}
            </time>
          </>
        ) : null}
        , so its new commits are not analysed.
      </p>
      <p className="mt-1 break-words">{accessError.reason}</p>
      <p className="mt-2 text-rose-800">
        Once that is fixed, an owner or admin can retry the failed jobs on the{" "}
        <Link to="/settings/queues" className="underline">
          queues page
        </Link>
        ; the next successful fetch clears this notice.
      </p>
    </div>
  );
}
