/** Every kind of row in `code_events`: the schema, the webhook planner and the dashboard's filters share this list. */
export const CODE_EVENT_TYPES = [
  "commit",
  "pr_opened",
  "pr_updated",
  "pr_ready_for_review",
  "pr_review_requested",
  "pr_review",
  "pr_merged",
  "pr_closed",
  "deployment",
  "deployment_status",
] as const;

export type CodeEventType = (typeof CODE_EVENT_TYPES)[number];
