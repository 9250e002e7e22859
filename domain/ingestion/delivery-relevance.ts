/**
 * Which deliveries the webhook worker has anything to do with, decided from the event name and action alone so the
 * webhook route can record the rest as ignored without queueing a job. Pure; the planner stays the authority on
 * what a relevant delivery means.
 */

/** Actions per event that the planner turns into writes; `null` means every action (or events without one). */
const RELEVANT_ACTIONS: Record<string, ReadonlySet<string> | null> = {
  push: null,
  pull_request: new Set(["opened", "reopened", "edited", "synchronize", "converted_to_draft", "ready_for_review", "review_requested", "closed"]),
  pull_request_review: new Set(["submitted", "dismissed"]),
  deployment: new Set(["created"]),
  deployment_status: null,
  installation: new Set(["created", "deleted", "suspend", "unsuspend"]),
  installation_repositories: new Set(["added", "removed"]),
  // Team changes queue a sync of the GitHub teams (ADR 076); webhook-plan.ts TEAMS_CHANGED_ACTIONS holds the same.
  membership: new Set(["added", "removed"]),
  team: new Set(["created", "deleted", "edited"]),
  organization: new Set(["member_added", "member_removed"]),
};

export type DeliveryRelevance = { relevant: true } | { relevant: false; reason: string };

export function classifyDelivery(event: string, action: string | null): DeliveryRelevance {
  if (!Object.hasOwn(RELEVANT_ACTIONS, event)) return { relevant: false, reason: `event "${event}" is not used by Sentinel` };
  const actions = RELEVANT_ACTIONS[event];
  if (actions === null || actions === undefined) return { relevant: true };
  if (action === null) return { relevant: false, reason: `${event} delivery without an action` };
  if (!actions.has(action)) return { relevant: false, reason: `${event} action "${action}" is not used by Sentinel` };
  return { relevant: true };
}
