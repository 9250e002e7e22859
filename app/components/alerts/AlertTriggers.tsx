import { Link } from "@remix-run/react";
import type { AlertTrigger } from "~/presenters/alerts-links.ts";

const KIND_LABEL: Record<AlertTrigger["kind"], string> = {
  repository: "Repository",
  incident: "Incident",
  "pull-request": "Pull request",
  deployment: "Deployment",
  commit: "Commit",
};

/** What an alert points at: Sentinel's page of each thing, and GitHub's beside it when there is one. */
export function AlertTriggers({ triggers }: { triggers: AlertTrigger[] }) {
  if (triggers.length === 0) return <p className="mt-2 text-sm text-gray-500">This alert concerns the whole organisation; it names no repository.</p>;
  return (
    <ul className="mt-2 space-y-1 text-sm" data-testid="alert-triggers">
      {triggers.map((trigger) => (
        <li key={`${trigger.kind}:${trigger.label}`} className="flex flex-wrap gap-x-3">
          <span className="w-28 shrink-0 text-gray-500">{KIND_LABEL[trigger.kind]}</span>
          {trigger.to ? (
            <Link to={trigger.to} className="min-w-0 break-words text-blue-700 hover:underline">
              {trigger.label}
            </Link>
          ) : (
            <span className="min-w-0 break-words">{trigger.label}</span>
          )}
          {trigger.github ? (
            <a href={trigger.github} className="text-blue-700 hover:underline" rel="noreferrer noopener" target="_blank" aria-label={`${trigger.label} on GitHub`}>
              GitHub ↗
            </a>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
