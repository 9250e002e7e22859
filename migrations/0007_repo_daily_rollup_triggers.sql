-- ADR 060: repo_daily_activity and repo_daily_high_risk_files are kept by statement-level triggers with transition
-- tables, so every write path (webhooks, analysis, import, COPY, re-tiering) updates them in its own transaction.
-- Inserts and updates add their net change per (repository, UTC day) with an upsert in key order (two writers lock
-- rows in the same order); a change that nets to zero touches nothing. Deletes only subtract: a cascade from a deleted
-- repository must not insert rows for it. TRUNCATE bypasses triggers: truncate these tables together with their sources.

CREATE FUNCTION repo_daily_activity_from_code_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO repo_daily_activity AS d (org_id, repo_id, day, events, last_event_at)
    SELECT org_id, repo_id, day, sum(sign)::int, max(timestamp) FILTER (WHERE sign > 0)
    FROM (
          SELECT org_id, repo_id, (timestamp AT TIME ZONE 'UTC')::date AS day, timestamp, 1 AS sign FROM new_rows
    ) changes
    GROUP BY org_id, repo_id, day
    HAVING sum(sign) <> 0 OR max(timestamp) FILTER (WHERE sign > 0) IS NOT NULL
    ORDER BY repo_id, day
    ON CONFLICT (repo_id, day) DO UPDATE
      SET events = d.events + excluded.events, last_event_at = greatest(d.last_event_at, excluded.last_event_at);
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO repo_daily_activity AS d (org_id, repo_id, day, events, last_event_at)
    SELECT org_id, repo_id, day, sum(sign)::int, max(timestamp) FILTER (WHERE sign > 0)
    FROM (
          SELECT org_id, repo_id, (timestamp AT TIME ZONE 'UTC')::date AS day, timestamp, 1 AS sign FROM new_rows
          UNION ALL
          SELECT org_id, repo_id, (timestamp AT TIME ZONE 'UTC')::date AS day, timestamp, -1 FROM old_rows
    ) changes
    GROUP BY org_id, repo_id, day
    HAVING sum(sign) <> 0 OR max(timestamp) FILTER (WHERE sign > 0) IS NOT NULL
    ORDER BY repo_id, day
    ON CONFLICT (repo_id, day) DO UPDATE
      SET events = d.events + excluded.events, last_event_at = greatest(d.last_event_at, excluded.last_event_at);
  ELSE
    UPDATE repo_daily_activity d SET events = d.events - o.events
    FROM (SELECT repo_id, (timestamp AT TIME ZONE 'UTC')::date AS day, count(*)::int AS events FROM old_rows GROUP BY 1, 2) o
    WHERE d.repo_id = o.repo_id AND d.day = o.day;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION repo_daily_activity_from_commits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO repo_daily_activity AS d (org_id, repo_id, day, commits, analyzed_commits, pending_commits, ai_commits)
    SELECT org_id, repo_id, day, commits, analyzed, pending, ai
    FROM (
      SELECT org_id, repo_id, day, sum(sign)::int AS commits,
        coalesce(sum(sign) FILTER (WHERE analysis_status = 'analyzed'), 0)::int AS analyzed,
        coalesce(sum(sign) FILTER (WHERE analysis_status = 'pending'), 0)::int AS pending,
        coalesce(sum(sign) FILTER (WHERE ai_confidence >= 0.5), 0)::int AS ai
      FROM (
          SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, analysis_status, ai_confidence, 1 AS sign FROM new_rows
      ) changes
      GROUP BY org_id, repo_id, day
    ) net
    WHERE (commits, analyzed, pending, ai) <> (0, 0, 0, 0)
    ORDER BY repo_id, day
    ON CONFLICT (repo_id, day) DO UPDATE
      SET commits = d.commits + excluded.commits, analyzed_commits = d.analyzed_commits + excluded.analyzed_commits,
          pending_commits = d.pending_commits + excluded.pending_commits, ai_commits = d.ai_commits + excluded.ai_commits;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO repo_daily_activity AS d (org_id, repo_id, day, commits, analyzed_commits, pending_commits, ai_commits)
    SELECT org_id, repo_id, day, commits, analyzed, pending, ai
    FROM (
      SELECT org_id, repo_id, day, sum(sign)::int AS commits,
        coalesce(sum(sign) FILTER (WHERE analysis_status = 'analyzed'), 0)::int AS analyzed,
        coalesce(sum(sign) FILTER (WHERE analysis_status = 'pending'), 0)::int AS pending,
        coalesce(sum(sign) FILTER (WHERE ai_confidence >= 0.5), 0)::int AS ai
      FROM (
          SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, analysis_status, ai_confidence, 1 AS sign FROM new_rows
          UNION ALL
          SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, analysis_status, ai_confidence, -1 FROM old_rows
      ) changes
      GROUP BY org_id, repo_id, day
    ) net
    WHERE (commits, analyzed, pending, ai) <> (0, 0, 0, 0)
    ORDER BY repo_id, day
    ON CONFLICT (repo_id, day) DO UPDATE
      SET commits = d.commits + excluded.commits, analyzed_commits = d.analyzed_commits + excluded.analyzed_commits,
          pending_commits = d.pending_commits + excluded.pending_commits, ai_commits = d.ai_commits + excluded.ai_commits;
  ELSE
    UPDATE repo_daily_activity d
    SET commits = d.commits - o.commits, analyzed_commits = d.analyzed_commits - o.analyzed,
        pending_commits = d.pending_commits - o.pending, ai_commits = d.ai_commits - o.ai
    FROM (
      SELECT repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS commits,
        count(*) FILTER (WHERE analysis_status = 'analyzed')::int AS analyzed,
        count(*) FILTER (WHERE analysis_status = 'pending')::int AS pending,
        count(*) FILTER (WHERE ai_confidence >= 0.5)::int AS ai
      FROM old_rows GROUP BY 1, 2
    ) o
    WHERE d.repo_id = o.repo_id AND d.day = o.day;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION repo_daily_activity_from_code_attribution() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO repo_daily_activity AS d (org_id, repo_id, day, lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4)
    SELECT org_id, repo_id, day, lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4
    FROM (
      SELECT org_id, repo_id, day,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 1), 0)::int AS lines_t1,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 2), 0)::int AS lines_t2,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 3), 0)::int AS lines_t3,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 4), 0)::int AS lines_t4,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 1 AND ai), 0)::int AS ai_lines_t1,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 2 AND ai), 0)::int AS ai_lines_t2,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 3 AND ai), 0)::int AS ai_lines_t3,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 4 AND ai), 0)::int AS ai_lines_t4
      FROM (
          SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, risk_tier, ai_confidence >= 0.5 AS ai, lines_added AS lines, 1 AS sign FROM new_rows WHERE counts_toward_share
      ) changes
      GROUP BY org_id, repo_id, day
    ) net
    WHERE (lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4) <> (0, 0, 0, 0, 0, 0, 0, 0)
    ORDER BY repo_id, day
    ON CONFLICT (repo_id, day) DO UPDATE
      SET lines_t1 = d.lines_t1 + excluded.lines_t1,
          lines_t2 = d.lines_t2 + excluded.lines_t2,
          lines_t3 = d.lines_t3 + excluded.lines_t3,
          lines_t4 = d.lines_t4 + excluded.lines_t4,
          ai_lines_t1 = d.ai_lines_t1 + excluded.ai_lines_t1,
          ai_lines_t2 = d.ai_lines_t2 + excluded.ai_lines_t2,
          ai_lines_t3 = d.ai_lines_t3 + excluded.ai_lines_t3,
          ai_lines_t4 = d.ai_lines_t4 + excluded.ai_lines_t4;
    INSERT INTO repo_daily_high_risk_files AS f (org_id, repo_id, day, file_path, changes)
    SELECT org_id, repo_id, day, file_path, sum(sign)::int
    FROM (
          SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, file_path, 1 AS sign FROM new_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
    ) changes
    GROUP BY org_id, repo_id, day, file_path
    HAVING sum(sign) <> 0
    ORDER BY repo_id, day, file_path
    ON CONFLICT (repo_id, day, file_path) DO UPDATE SET changes = f.changes + excluded.changes;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO repo_daily_activity AS d (org_id, repo_id, day, lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4)
    SELECT org_id, repo_id, day, lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4
    FROM (
      SELECT org_id, repo_id, day,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 1), 0)::int AS lines_t1,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 2), 0)::int AS lines_t2,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 3), 0)::int AS lines_t3,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 4), 0)::int AS lines_t4,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 1 AND ai), 0)::int AS ai_lines_t1,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 2 AND ai), 0)::int AS ai_lines_t2,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 3 AND ai), 0)::int AS ai_lines_t3,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 4 AND ai), 0)::int AS ai_lines_t4
      FROM (
          SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, risk_tier, ai_confidence >= 0.5 AS ai, lines_added AS lines, 1 AS sign FROM new_rows WHERE counts_toward_share
          UNION ALL
          SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date, risk_tier, ai_confidence >= 0.5, -lines_added, -1 FROM old_rows WHERE counts_toward_share
      ) changes
      GROUP BY org_id, repo_id, day
    ) net
    WHERE (lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4) <> (0, 0, 0, 0, 0, 0, 0, 0)
    ORDER BY repo_id, day
    ON CONFLICT (repo_id, day) DO UPDATE
      SET lines_t1 = d.lines_t1 + excluded.lines_t1,
          lines_t2 = d.lines_t2 + excluded.lines_t2,
          lines_t3 = d.lines_t3 + excluded.lines_t3,
          lines_t4 = d.lines_t4 + excluded.lines_t4,
          ai_lines_t1 = d.ai_lines_t1 + excluded.ai_lines_t1,
          ai_lines_t2 = d.ai_lines_t2 + excluded.ai_lines_t2,
          ai_lines_t3 = d.ai_lines_t3 + excluded.ai_lines_t3,
          ai_lines_t4 = d.ai_lines_t4 + excluded.ai_lines_t4;
    INSERT INTO repo_daily_high_risk_files AS f (org_id, repo_id, day, file_path, changes)
    SELECT org_id, repo_id, day, file_path, sum(sign)::int
    FROM (
          SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, file_path, 1 AS sign FROM new_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
          UNION ALL
          SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, file_path, -1 FROM old_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
    ) changes
    GROUP BY org_id, repo_id, day, file_path
    HAVING sum(sign) <> 0
    ORDER BY repo_id, day, file_path
    ON CONFLICT (repo_id, day, file_path) DO UPDATE SET changes = f.changes + excluded.changes;
    DELETE FROM repo_daily_high_risk_files f USING old_rows o
    WHERE f.repo_id = o.repo_id AND f.day = (o.authored_at AT TIME ZONE 'UTC')::date AND f.file_path = o.file_path AND f.changes <= 0;
  ELSE
    UPDATE repo_daily_activity d
    SET lines_t1 = d.lines_t1 - o.lines_t1, lines_t2 = d.lines_t2 - o.lines_t2, lines_t3 = d.lines_t3 - o.lines_t3, lines_t4 = d.lines_t4 - o.lines_t4, ai_lines_t1 = d.ai_lines_t1 - o.ai_lines_t1, ai_lines_t2 = d.ai_lines_t2 - o.ai_lines_t2, ai_lines_t3 = d.ai_lines_t3 - o.ai_lines_t3, ai_lines_t4 = d.ai_lines_t4 - o.ai_lines_t4
    FROM (
      SELECT repo_id, day,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 1), 0)::int AS lines_t1,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 2), 0)::int AS lines_t2,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 3), 0)::int AS lines_t3,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 4), 0)::int AS lines_t4,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 1 AND ai), 0)::int AS ai_lines_t1,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 2 AND ai), 0)::int AS ai_lines_t2,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 3 AND ai), 0)::int AS ai_lines_t3,
        coalesce(sum(lines) FILTER (WHERE risk_tier = 4 AND ai), 0)::int AS ai_lines_t4
      FROM (SELECT repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, risk_tier, ai_confidence >= 0.5 AS ai, lines_added AS lines FROM old_rows WHERE counts_toward_share) changes
      GROUP BY repo_id, day
    ) o
    WHERE d.repo_id = o.repo_id AND d.day = o.day;
    UPDATE repo_daily_high_risk_files f SET changes = f.changes - o.changes
    FROM (
      SELECT repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, file_path, count(*)::int AS changes
      FROM old_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5 GROUP BY 1, 2, 3
    ) o
    WHERE f.repo_id = o.repo_id AND f.day = o.day AND f.file_path = o.file_path;
    DELETE FROM repo_daily_high_risk_files f USING old_rows o
    WHERE f.repo_id = o.repo_id AND f.day = (o.authored_at AT TIME ZONE 'UTC')::date AND f.file_path = o.file_path AND f.changes <= 0;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER code_events_daily_activity_insert AFTER INSERT ON code_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_daily_activity_from_code_events();
--> statement-breakpoint
CREATE TRIGGER code_events_daily_activity_update AFTER UPDATE ON code_events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_daily_activity_from_code_events();
--> statement-breakpoint
CREATE TRIGGER code_events_daily_activity_delete AFTER DELETE ON code_events
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_daily_activity_from_code_events();
--> statement-breakpoint
CREATE TRIGGER commits_daily_activity_insert AFTER INSERT ON commits
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_daily_activity_from_commits();
--> statement-breakpoint
CREATE TRIGGER commits_daily_activity_update AFTER UPDATE ON commits
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_daily_activity_from_commits();
--> statement-breakpoint
CREATE TRIGGER commits_daily_activity_delete AFTER DELETE ON commits
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_daily_activity_from_commits();
--> statement-breakpoint
CREATE TRIGGER code_attribution_daily_activity_insert AFTER INSERT ON code_attribution
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_daily_activity_from_code_attribution();
--> statement-breakpoint
CREATE TRIGGER code_attribution_daily_activity_update AFTER UPDATE ON code_attribution
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_daily_activity_from_code_attribution();
--> statement-breakpoint
CREATE TRIGGER code_attribution_daily_activity_delete AFTER DELETE ON code_attribution
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_daily_activity_from_code_attribution();
--> statement-breakpoint
-- Backfill from the rows already there (the triggers above hold their tables' locks until the migration commits).
INSERT INTO repo_daily_activity (org_id, repo_id, day, events, last_event_at)
SELECT org_id, repo_id, (timestamp AT TIME ZONE 'UTC')::date, count(*), max(timestamp) FROM code_events GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO repo_daily_activity AS d (org_id, repo_id, day, commits, analyzed_commits, pending_commits, ai_commits)
SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date, count(*),
  count(*) FILTER (WHERE analysis_status = 'analyzed'), count(*) FILTER (WHERE analysis_status = 'pending'), count(*) FILTER (WHERE ai_confidence >= 0.5)
FROM commits GROUP BY 1, 2, 3
ON CONFLICT (repo_id, day) DO UPDATE
  SET commits = excluded.commits, analyzed_commits = excluded.analyzed_commits, pending_commits = excluded.pending_commits, ai_commits = excluded.ai_commits;
--> statement-breakpoint
INSERT INTO repo_daily_activity AS d (org_id, repo_id, day, lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4)
SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date,
  coalesce(sum(lines_added) FILTER (WHERE risk_tier = 1), 0),
  coalesce(sum(lines_added) FILTER (WHERE risk_tier = 2), 0),
  coalesce(sum(lines_added) FILTER (WHERE risk_tier = 3), 0),
  coalesce(sum(lines_added) FILTER (WHERE risk_tier = 4), 0),
  coalesce(sum(lines_added) FILTER (WHERE risk_tier = 1 AND ai_confidence >= 0.5), 0),
  coalesce(sum(lines_added) FILTER (WHERE risk_tier = 2 AND ai_confidence >= 0.5), 0),
  coalesce(sum(lines_added) FILTER (WHERE risk_tier = 3 AND ai_confidence >= 0.5), 0),
  coalesce(sum(lines_added) FILTER (WHERE risk_tier = 4 AND ai_confidence >= 0.5), 0)
FROM code_attribution WHERE counts_toward_share GROUP BY 1, 2, 3
ON CONFLICT (repo_id, day) DO UPDATE
  SET lines_t1 = excluded.lines_t1, lines_t2 = excluded.lines_t2, lines_t3 = excluded.lines_t3, lines_t4 = excluded.lines_t4, ai_lines_t1 = excluded.ai_lines_t1, ai_lines_t2 = excluded.ai_lines_t2, ai_lines_t3 = excluded.ai_lines_t3, ai_lines_t4 = excluded.ai_lines_t4;
--> statement-breakpoint
INSERT INTO repo_daily_high_risk_files (org_id, repo_id, day, file_path, changes)
SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date, file_path, count(*)
FROM code_attribution WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5 GROUP BY 1, 2, 3, 4;
