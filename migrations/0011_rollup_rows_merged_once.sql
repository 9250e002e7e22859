-- ADR 060: 0009 left up to three rows per (repository, day) (and more per high-risk file and day); 0010's writers add
-- to one of them. Merge each day's rows into one, once, so reads sum the fewest rows. Exact: a day's numbers are the
-- sum of its rows before and after.
LOCK TABLE repo_daily_activity, repo_daily_high_risk_files IN EXCLUSIVE MODE;
--> statement-breakpoint
WITH merged AS (
  DELETE FROM repo_daily_activity RETURNING *
)
INSERT INTO repo_daily_activity (org_id, repo_id, day, last_event_at, events, commits, analyzed_commits, pending_commits, ai_commits,
  lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4)
SELECT org_id, repo_id, day, max(last_event_at), sum(events), sum(commits), sum(analyzed_commits), sum(pending_commits), sum(ai_commits),
  sum(lines_t1), sum(lines_t2), sum(lines_t3), sum(lines_t4), sum(ai_lines_t1), sum(ai_lines_t2), sum(ai_lines_t3), sum(ai_lines_t4)
FROM merged GROUP BY org_id, repo_id, day;
--> statement-breakpoint
WITH merged AS (
  DELETE FROM repo_daily_high_risk_files RETURNING *
)
INSERT INTO repo_daily_high_risk_files (org_id, repo_id, day, file_path, changes)
SELECT org_id, repo_id, day, file_path, sum(changes) FROM merged GROUP BY org_id, repo_id, day, file_path HAVING sum(changes) <> 0;
