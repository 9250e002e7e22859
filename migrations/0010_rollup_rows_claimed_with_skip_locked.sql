-- ADR 060: a write adds its net change to a row of the day that no other transaction holds. It claims one of the
-- day's rows with FOR UPDATE SKIP LOCKED and adds to it (a HOT update: the indexes do not change), or, when every
-- row of the day is held by other open transactions (or there is none yet), inserts a row of its own. So a writer
-- never waits for another writer — the deadlock of 0007's single total row cannot happen — and a day has as many
-- rows as writers ever held it at once, usually one. This replaces 0009's append-then-merge, whose deletes left the
-- hot day's index full of dead entries (every write had to walk them) and tripled the cost of a one-row insert.
-- Readers still sum a day's rows. Deletes subtract, or insert a negative row only while the repository exists (a
-- cascade from a deleted repository must not insert rows for it).

DROP FUNCTION merge_repo_daily_rollups(uuid[], date[]);
--> statement-breakpoint
-- Room on each page for the updated versions, so the updates stay HOT (no new index entries).
ALTER TABLE repo_daily_activity SET (fillfactor = 70);
--> statement-breakpoint
ALTER TABLE repo_daily_high_risk_files SET (fillfactor = 70);
--> statement-breakpoint
CREATE FUNCTION add_repo_daily_activity(
  p_org_id uuid,
  p_repo_id uuid,
  p_day date,
  p_last_event_at timestamptz,
  p_events integer,
  p_commits integer,
  p_analyzed_commits integer,
  p_pending_commits integer,
  p_ai_commits integer,
  p_lines_t1 integer,
  p_lines_t2 integer,
  p_lines_t3 integer,
  p_lines_t4 integer,
  p_ai_lines_t1 integer,
  p_ai_lines_t2 integer,
  p_ai_lines_t3 integer,
  p_ai_lines_t4 integer,
  p_deleting boolean
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  target tid;
BEGIN
  SELECT ctid INTO target FROM repo_daily_activity WHERE repo_id = p_repo_id AND day = p_day LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE repo_daily_activity SET
      last_event_at = greatest(last_event_at, p_last_event_at),
      events = events + p_events,
      commits = commits + p_commits,
      analyzed_commits = analyzed_commits + p_analyzed_commits,
      pending_commits = pending_commits + p_pending_commits,
      ai_commits = ai_commits + p_ai_commits,
      lines_t1 = lines_t1 + p_lines_t1,
      lines_t2 = lines_t2 + p_lines_t2,
      lines_t3 = lines_t3 + p_lines_t3,
      lines_t4 = lines_t4 + p_lines_t4,
      ai_lines_t1 = ai_lines_t1 + p_ai_lines_t1,
      ai_lines_t2 = ai_lines_t2 + p_ai_lines_t2,
      ai_lines_t3 = ai_lines_t3 + p_ai_lines_t3,
      ai_lines_t4 = ai_lines_t4 + p_ai_lines_t4
    WHERE ctid = target;
  ELSIF NOT p_deleting OR EXISTS (SELECT 1 FROM repositories WHERE id = p_repo_id) THEN
    INSERT INTO repo_daily_activity (org_id, repo_id, day, last_event_at, events, commits, analyzed_commits, pending_commits, ai_commits, lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4)
    VALUES (p_org_id, p_repo_id, p_day, p_last_event_at, p_events, p_commits, p_analyzed_commits, p_pending_commits, p_ai_commits, p_lines_t1, p_lines_t2, p_lines_t3, p_lines_t4, p_ai_lines_t1, p_ai_lines_t2, p_ai_lines_t3, p_ai_lines_t4);
  END IF;
END $$;
--> statement-breakpoint
CREATE FUNCTION add_repo_daily_high_risk_file(p_org_id uuid, p_repo_id uuid, p_day date, p_file_path text, p_changes integer, p_deleting boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  target tid;
BEGIN
  SELECT ctid INTO target FROM repo_daily_high_risk_files
  WHERE repo_id = p_repo_id AND day = p_day AND file_path = p_file_path LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE repo_daily_high_risk_files SET changes = changes + p_changes WHERE ctid = target;
  ELSIF NOT p_deleting OR EXISTS (SELECT 1 FROM repositories WHERE id = p_repo_id) THEN
    INSERT INTO repo_daily_high_risk_files (org_id, repo_id, day, file_path, changes) VALUES (p_org_id, p_repo_id, p_day, p_file_path, p_changes);
  END IF;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION repo_daily_activity_from_code_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM add_repo_daily_activity(net.org_id, net.repo_id, net.day, net.last_event_at, net.events, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false)
    FROM (
      SELECT org_id, repo_id, day,
        sum(sign)::int AS events, max(timestamp) FILTER (WHERE sign > 0) AS last_event_at
      FROM (
        SELECT org_id, repo_id, (timestamp AT TIME ZONE 'UTC')::date AS day, timestamp, 1 AS sign FROM new_rows
      ) changes
      GROUP BY org_id, repo_id, day
      ORDER BY org_id, repo_id, day
    ) net
    WHERE net.events <> 0 OR net.last_event_at IS NOT NULL;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM add_repo_daily_activity(net.org_id, net.repo_id, net.day, net.last_event_at, net.events, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false)
    FROM (
      SELECT org_id, repo_id, day,
        sum(sign)::int AS events, max(timestamp) FILTER (WHERE sign > 0) AS last_event_at
      FROM (
        SELECT org_id, repo_id, (timestamp AT TIME ZONE 'UTC')::date AS day, timestamp, 1 AS sign FROM new_rows
        UNION ALL
        SELECT org_id, repo_id, (timestamp AT TIME ZONE 'UTC')::date AS day, timestamp, -1 AS sign FROM old_rows
      ) changes
      GROUP BY org_id, repo_id, day
      ORDER BY org_id, repo_id, day
    ) net
    WHERE net.events <> 0 OR net.last_event_at IS NOT NULL;
  ELSE
    PERFORM add_repo_daily_activity(net.org_id, net.repo_id, net.day, net.last_event_at, net.events, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, true)
    FROM (
      SELECT org_id, repo_id, day,
        sum(sign)::int AS events, max(timestamp) FILTER (WHERE sign > 0) AS last_event_at
      FROM (
        SELECT org_id, repo_id, (timestamp AT TIME ZONE 'UTC')::date AS day, timestamp, -1 AS sign FROM old_rows
      ) changes
      GROUP BY org_id, repo_id, day
      ORDER BY org_id, repo_id, day
    ) net
    WHERE net.events <> 0 OR net.last_event_at IS NOT NULL;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION repo_daily_activity_from_commits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM add_repo_daily_activity(net.org_id, net.repo_id, net.day, NULL, 0, net.commits, net.analyzed_commits, net.pending_commits, net.ai_commits, 0, 0, 0, 0, 0, 0, 0, 0, false)
    FROM (
      SELECT org_id, repo_id, day,
        sum(sign)::int AS commits,
        coalesce(sum(sign) FILTER (WHERE analysis_status = 'analyzed'), 0)::int AS analyzed_commits,
        coalesce(sum(sign) FILTER (WHERE analysis_status = 'pending'), 0)::int AS pending_commits,
        coalesce(sum(sign) FILTER (WHERE ai_confidence >= 0.5), 0)::int AS ai_commits
      FROM (
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, analysis_status, ai_confidence, 1 AS sign FROM new_rows
      ) changes
      GROUP BY org_id, repo_id, day
      ORDER BY org_id, repo_id, day
    ) net
    WHERE (net.commits, net.analyzed_commits, net.pending_commits, net.ai_commits) <> (0, 0, 0, 0);
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM add_repo_daily_activity(net.org_id, net.repo_id, net.day, NULL, 0, net.commits, net.analyzed_commits, net.pending_commits, net.ai_commits, 0, 0, 0, 0, 0, 0, 0, 0, false)
    FROM (
      SELECT org_id, repo_id, day,
        sum(sign)::int AS commits,
        coalesce(sum(sign) FILTER (WHERE analysis_status = 'analyzed'), 0)::int AS analyzed_commits,
        coalesce(sum(sign) FILTER (WHERE analysis_status = 'pending'), 0)::int AS pending_commits,
        coalesce(sum(sign) FILTER (WHERE ai_confidence >= 0.5), 0)::int AS ai_commits
      FROM (
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, analysis_status, ai_confidence, 1 AS sign FROM new_rows
        UNION ALL
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, analysis_status, ai_confidence, -1 AS sign FROM old_rows
      ) changes
      GROUP BY org_id, repo_id, day
      ORDER BY org_id, repo_id, day
    ) net
    WHERE (net.commits, net.analyzed_commits, net.pending_commits, net.ai_commits) <> (0, 0, 0, 0);
  ELSE
    PERFORM add_repo_daily_activity(net.org_id, net.repo_id, net.day, NULL, 0, net.commits, net.analyzed_commits, net.pending_commits, net.ai_commits, 0, 0, 0, 0, 0, 0, 0, 0, true)
    FROM (
      SELECT org_id, repo_id, day,
        sum(sign)::int AS commits,
        coalesce(sum(sign) FILTER (WHERE analysis_status = 'analyzed'), 0)::int AS analyzed_commits,
        coalesce(sum(sign) FILTER (WHERE analysis_status = 'pending'), 0)::int AS pending_commits,
        coalesce(sum(sign) FILTER (WHERE ai_confidence >= 0.5), 0)::int AS ai_commits
      FROM (
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, analysis_status, ai_confidence, -1 AS sign FROM old_rows
      ) changes
      GROUP BY org_id, repo_id, day
      ORDER BY org_id, repo_id, day
    ) net
    WHERE (net.commits, net.analyzed_commits, net.pending_commits, net.ai_commits) <> (0, 0, 0, 0);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION repo_daily_activity_from_code_attribution() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM add_repo_daily_activity(net.org_id, net.repo_id, net.day, NULL, 0, 0, 0, 0, 0, net.lines_t1, net.lines_t2, net.lines_t3, net.lines_t4, net.ai_lines_t1, net.ai_lines_t2, net.ai_lines_t3, net.ai_lines_t4, false)
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
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, risk_tier, ai_confidence >= 0.5 AS ai, lines_added AS lines FROM new_rows WHERE counts_toward_share
      ) changes
      GROUP BY org_id, repo_id, day
      ORDER BY org_id, repo_id, day
    ) net
    WHERE (net.lines_t1, net.lines_t2, net.lines_t3, net.lines_t4, net.ai_lines_t1, net.ai_lines_t2, net.ai_lines_t3, net.ai_lines_t4) <> (0, 0, 0, 0, 0, 0, 0, 0);
    PERFORM add_repo_daily_high_risk_file(net.org_id, net.repo_id, net.day, net.file_path, net.changes, false)
    FROM (
      SELECT org_id, repo_id, day, file_path,
        sum(sign)::int AS changes
      FROM (
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, file_path, 1 AS sign FROM new_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
      ) changes
      GROUP BY org_id, repo_id, day, file_path
      ORDER BY org_id, repo_id, day, file_path
    ) net
    WHERE net.changes <> 0;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM add_repo_daily_activity(net.org_id, net.repo_id, net.day, NULL, 0, 0, 0, 0, 0, net.lines_t1, net.lines_t2, net.lines_t3, net.lines_t4, net.ai_lines_t1, net.ai_lines_t2, net.ai_lines_t3, net.ai_lines_t4, false)
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
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, risk_tier, ai_confidence >= 0.5 AS ai, lines_added AS lines FROM new_rows WHERE counts_toward_share
        UNION ALL
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, risk_tier, ai_confidence >= 0.5 AS ai, -lines_added AS lines FROM old_rows WHERE counts_toward_share
      ) changes
      GROUP BY org_id, repo_id, day
      ORDER BY org_id, repo_id, day
    ) net
    WHERE (net.lines_t1, net.lines_t2, net.lines_t3, net.lines_t4, net.ai_lines_t1, net.ai_lines_t2, net.ai_lines_t3, net.ai_lines_t4) <> (0, 0, 0, 0, 0, 0, 0, 0);
    PERFORM add_repo_daily_high_risk_file(net.org_id, net.repo_id, net.day, net.file_path, net.changes, false)
    FROM (
      SELECT org_id, repo_id, day, file_path,
        sum(sign)::int AS changes
      FROM (
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, file_path, 1 AS sign FROM new_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
        UNION ALL
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, file_path, -1 AS sign FROM old_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
      ) changes
      GROUP BY org_id, repo_id, day, file_path
      ORDER BY org_id, repo_id, day, file_path
    ) net
    WHERE net.changes <> 0;
  ELSE
    PERFORM add_repo_daily_activity(net.org_id, net.repo_id, net.day, NULL, 0, 0, 0, 0, 0, net.lines_t1, net.lines_t2, net.lines_t3, net.lines_t4, net.ai_lines_t1, net.ai_lines_t2, net.ai_lines_t3, net.ai_lines_t4, true)
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
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, risk_tier, ai_confidence >= 0.5 AS ai, -lines_added AS lines FROM old_rows WHERE counts_toward_share
      ) changes
      GROUP BY org_id, repo_id, day
      ORDER BY org_id, repo_id, day
    ) net
    WHERE (net.lines_t1, net.lines_t2, net.lines_t3, net.lines_t4, net.ai_lines_t1, net.ai_lines_t2, net.ai_lines_t3, net.ai_lines_t4) <> (0, 0, 0, 0, 0, 0, 0, 0);
    PERFORM add_repo_daily_high_risk_file(net.org_id, net.repo_id, net.day, net.file_path, net.changes, true)
    FROM (
      SELECT org_id, repo_id, day, file_path,
        sum(sign)::int AS changes
      FROM (
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, file_path, -1 AS sign FROM old_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
      ) changes
      GROUP BY org_id, repo_id, day, file_path
      ORDER BY org_id, repo_id, day, file_path
    ) net
    WHERE net.changes <> 0;
  END IF;
  RETURN NULL;
END $$;
