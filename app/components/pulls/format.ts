/** "45 min", "3.5 h", "2.1 days": a cycle or review time, read at a glance; "—" when there is none. */
export function formatDuration(minutes: number | null): string {
  if (minutes === null) return "—";
  if (minutes < 90) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${(minutes / 60).toFixed(1)} h`;
  return `${(minutes / (24 * 60)).toFixed(1)} days`;
}

/** A 0–1 fraction as "37 %"; "—" when there is none. */
export function formatFraction(value: number | null): string {
  return value === null ? "—" : `${Math.round(value * 100)} %`;
}

/** "Approved, no comment", "2 reviews", "No review": what a row's review column says. */
export function reviewLabel(reviews: { count: number; approvedWithoutComment: boolean; firstReviewAt: string | null }): string {
  if (reviews.approvedWithoutComment) return `Approved, no comment (${reviews.count} review${reviews.count === 1 ? "" : "s"})`;
  if (reviews.count > 0) return `${reviews.count} review${reviews.count === 1 ? "" : "s"}`;
  return reviews.firstReviewAt ? "Reviewed" : "No review";
}
