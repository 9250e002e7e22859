import { formatRelativeTime } from "~/utils/format.ts";

const STAGES = { import: "sentinel import", backfill: "backfill", analysis: "analysis" } as const;

/**
 * The commits a run left out because they could not be stored (git could not read them, or the database refused their
 * rows): each with the stage that tried, the reason and when. A commit leaves the list once a later run stores it.
 */
export function CommitFailures({ failures, now }: { failures: Array<{ sha: string; stage: keyof typeof STAGES; reason: string; failedAt: string }>; now: string }) {
  if (failures.length === 0) return null;
  return (
    <section aria-labelledby="commit-failures-title" data-testid="commit-failures" className="mt-4 max-w-4xl rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950">
      <h2 id="commit-failures-title" className="font-medium">
        {failures.length === 1 ? "1 commit" : `${failures.length} commits`} could not be stored
      </h2>
      <p className="mt-1 text-amber-900">
        The rest of the history was stored without them; they are not counted in the figures below. A later run that
        stores a commit removes it from this list.
      </p>
      <table className="mt-3 w-full table-fixed text-left">
        <thead className="text-xs uppercase text-amber-800">
          <tr>
            <th scope="col" className="w-24 py-1">Commit</th>
            <th scope="col" className="w-32 py-1">Stage</th>
            <th scope="col" className="py-1">Reason</th>
            <th scope="col" className="w-28 py-1">When</th>
          </tr>
        </thead>
        <tbody>
          {failures.map((failure) => (
            <tr key={failure.sha} className="border-t border-amber-200 align-top">
              <td className="py-1 font-mono" title={failure.sha}>
                {failure.sha.slice(0, 7)}
              </td>
              <td className="py-1">{STAGES[failure.stage]}</td>
              <td className="break-words py-1">{failure.reason}</td>
              <td className="py-1">
                <time dateTime={failure.failedAt} title={failure.failedAt}>
                  {formatRelativeTime(failure.failedAt, now)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
