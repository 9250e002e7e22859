/** Shared by the feed's filter form (browser) and its query schema (server). */
export const EVENT_TYPES = [
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
