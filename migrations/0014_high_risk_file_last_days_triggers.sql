-- ADR 060: repo_high_risk_file_last_days keeps, per repository and file, the latest day AI-written code went into it
-- while it was T3/T4, so "high-risk files changed in the window" reads one row per file. A qualifying new attribution
-- row raises its file's last day (claiming one of the file's rows with SKIP LOCKED, or inserting one, as 0010 does —
-- and nothing at all when a row already says that day or later). A change that can take a day's count down
-- (an update that drops rows out of T3/T4 or below 0.5, a delete) appends the day to repo_high_risk_decrements;
-- readers whose window holds such a day count from repo_daily_high_risk_files, which is exact.

CREATE FUNCTION add_repo_high_risk_file_last_day(p_org_id uuid, p_repo_id uuid, p_file_path text, p_day date)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  target tid;
BEGIN
  -- The common case: the file changed again on a day already recorded. No lock, no write.
  IF EXISTS (SELECT 1 FROM repo_high_risk_file_last_days WHERE repo_id = p_repo_id AND file_path = p_file_path AND last_day >= p_day) THEN
    RETURN;
  END IF;
  SELECT ctid INTO target FROM repo_high_risk_file_last_days
  WHERE repo_id = p_repo_id AND file_path = p_file_path LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE repo_high_risk_file_last_days SET last_day = greatest(last_day, p_day) WHERE ctid = target;
  ELSE
    INSERT INTO repo_high_risk_file_last_days (org_id, repo_id, file_path, last_day) VALUES (p_org_id, p_repo_id, p_file_path, p_day);
  END IF;
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
    PERFORM add_repo_high_risk_file_last_day(net.org_id, net.repo_id, net.file_path, net.last_day)
    FROM (
      SELECT org_id, repo_id, file_path, max((authored_at AT TIME ZONE 'UTC')::date) AS last_day
      FROM new_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
      GROUP BY org_id, repo_id, file_path
      ORDER BY repo_id, file_path
    ) net;
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
    PERFORM add_repo_high_risk_file_last_day(net.org_id, net.repo_id, net.file_path, net.last_day)
    FROM (
      SELECT org_id, repo_id, file_path, max((authored_at AT TIME ZONE 'UTC')::date) AS last_day
      FROM new_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
      GROUP BY org_id, repo_id, file_path
      ORDER BY repo_id, file_path
    ) net;
    INSERT INTO repo_high_risk_decrements (org_id, repo_id, day)
    SELECT DISTINCT org_id, repo_id, day FROM (
      SELECT org_id, repo_id, day, file_path FROM (
          SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, file_path, 1 AS sign FROM new_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
          UNION ALL
          SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, file_path, -1 AS sign FROM old_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
      ) changes
      GROUP BY org_id, repo_id, day, file_path HAVING sum(sign) < 0
    ) lowered;
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
    INSERT INTO repo_high_risk_decrements (org_id, repo_id, day)
    SELECT DISTINCT o.org_id, o.repo_id, (o.authored_at AT TIME ZONE 'UTC')::date FROM old_rows o
    WHERE o.counts_toward_share AND o.risk_tier >= 3 AND o.ai_confidence >= 0.5 AND EXISTS (SELECT 1 FROM repositories r WHERE r.id = o.repo_id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Backfill: each file's latest day with a positive count.
INSERT INTO repo_high_risk_file_last_days (org_id, repo_id, file_path, last_day)
SELECT org_id, repo_id, file_path, max(day) FROM (
  SELECT org_id, repo_id, file_path, day FROM repo_daily_high_risk_files GROUP BY org_id, repo_id, file_path, day HAVING sum(changes) > 0
) days
GROUP BY org_id, repo_id, file_path;
