-- ADR 060: the rollups' rows are changes, not totals. The first triggers (0007) upserted a total per (repository,
-- day), so every writer of a repository-day locked the same row until its commit: a webhook job holding that row and
-- waiting for a commit row that an analysis job had updated, while the analysis job's own trigger waited for the
-- rollup row, was a deadlock. Now a write only appends its net change (an INSERT into a table without a unique key
-- never waits for another transaction), and merges the touched days' rows once a day has four or more of them —
-- under a per-repository advisory lock taken with try, so a writer never waits for another writer's merge either.
-- A day's numbers are the sum of its rows. Deletes append negative changes only while the repository still exists
-- (a cascade from a deleted repository must not insert rows for it). TRUNCATE bypasses triggers: truncate these
-- tables together with their sources.

CREATE FUNCTION merge_repo_daily_rollups(repos uuid[], days date[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  repo uuid;
BEGIN
  IF repos IS NULL THEN
    RETURN;
  END IF;
  FOR repo IN SELECT DISTINCT r FROM unnest(repos) AS r LOOP
    -- One merger per repository at a time, and never a wait: a busy repository is merged by a later write.
    CONTINUE WHEN NOT pg_try_advisory_xact_lock(601, hashtext(repo::text));
    WITH touched AS (
      SELECT DISTINCT k.day FROM unnest(repos, days) AS k (repo_id, day) WHERE k.repo_id = repo
    ), crowded AS (
      SELECT a.day FROM repo_daily_activity a JOIN touched t ON t.day = a.day
      WHERE a.repo_id = repo GROUP BY a.day HAVING count(*) >= 4
    ), merged AS (
      DELETE FROM repo_daily_activity a USING crowded c WHERE a.repo_id = repo AND a.day = c.day
      RETURNING a.*
    )
    INSERT INTO repo_daily_activity (org_id, repo_id, day, last_event_at, events, commits, analyzed_commits, pending_commits, ai_commits, lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4)
    SELECT org_id, repo_id, day, max(last_event_at),
      sum(events)::int,
      sum(commits)::int,
      sum(analyzed_commits)::int,
      sum(pending_commits)::int,
      sum(ai_commits)::int,
      sum(lines_t1)::int,
      sum(lines_t2)::int,
      sum(lines_t3)::int,
      sum(lines_t4)::int,
      sum(ai_lines_t1)::int,
      sum(ai_lines_t2)::int,
      sum(ai_lines_t3)::int,
      sum(ai_lines_t4)::int
    FROM merged GROUP BY org_id, repo_id, day;
    WITH touched AS (
      SELECT DISTINCT k.day FROM unnest(repos, days) AS k (repo_id, day) WHERE k.repo_id = repo
    ), crowded AS (
      SELECT f.day, f.file_path FROM repo_daily_high_risk_files f JOIN touched t ON t.day = f.day
      WHERE f.repo_id = repo GROUP BY f.day, f.file_path HAVING count(*) >= 4
    ), merged AS (
      DELETE FROM repo_daily_high_risk_files f USING crowded c WHERE f.repo_id = repo AND f.day = c.day AND f.file_path = c.file_path
      RETURNING f.*
    )
    INSERT INTO repo_daily_high_risk_files (org_id, repo_id, day, file_path, changes)
    SELECT org_id, repo_id, day, file_path, sum(changes)::int
    FROM merged GROUP BY org_id, repo_id, day, file_path HAVING sum(changes) <> 0;
  END LOOP;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION repo_daily_activity_from_code_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  repos uuid[];
  days date[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    WITH net AS (
      SELECT org_id, repo_id, day,
        sum(sign)::int AS events, max(timestamp) FILTER (WHERE sign > 0) AS last_event_at
      FROM (
        SELECT org_id, repo_id, (timestamp AT TIME ZONE 'UTC')::date AS day, timestamp, 1 AS sign FROM new_rows
      ) changes
      GROUP BY org_id, repo_id, day
    ), appended AS (
      INSERT INTO repo_daily_activity (org_id, repo_id, day, events, last_event_at)
      SELECT org_id, repo_id, day, events, last_event_at FROM net
      WHERE events <> 0
      RETURNING repo_id, day
    )
    SELECT array_agg(repo_id), array_agg(day) INTO repos, days FROM appended;
  ELSIF TG_OP = 'UPDATE' THEN
    WITH net AS (
      SELECT org_id, repo_id, day,
        sum(sign)::int AS events, max(timestamp) FILTER (WHERE sign > 0) AS last_event_at
      FROM (
        SELECT org_id, repo_id, (timestamp AT TIME ZONE 'UTC')::date AS day, timestamp, 1 AS sign FROM new_rows
        UNION ALL
        SELECT org_id, repo_id, (timestamp AT TIME ZONE 'UTC')::date AS day, timestamp, -1 AS sign FROM old_rows
      ) changes
      GROUP BY org_id, repo_id, day
    ), appended AS (
      INSERT INTO repo_daily_activity (org_id, repo_id, day, events, last_event_at)
      SELECT org_id, repo_id, day, events, last_event_at FROM net
      WHERE events <> 0
      RETURNING repo_id, day
    )
    SELECT array_agg(repo_id), array_agg(day) INTO repos, days FROM appended;
  ELSE
    WITH net AS (
      SELECT org_id, repo_id, day,
        sum(sign)::int AS events, max(timestamp) FILTER (WHERE sign > 0) AS last_event_at
      FROM (
        SELECT org_id, repo_id, (timestamp AT TIME ZONE 'UTC')::date AS day, timestamp, -1 AS sign FROM old_rows
      ) changes
      GROUP BY org_id, repo_id, day
    ), appended AS (
      INSERT INTO repo_daily_activity (org_id, repo_id, day, events, last_event_at)
      SELECT org_id, repo_id, day, events, last_event_at FROM net
      WHERE events <> 0
      AND EXISTS (SELECT 1 FROM repositories r WHERE r.id = net.repo_id)
      RETURNING repo_id, day
    )
    SELECT array_agg(repo_id), array_agg(day) INTO repos, days FROM appended;
  END IF;
  PERFORM merge_repo_daily_rollups(repos, days);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION repo_daily_activity_from_commits() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  repos uuid[];
  days date[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    WITH net AS (
      SELECT org_id, repo_id, day,
        sum(sign)::int AS commits,
        coalesce(sum(sign) FILTER (WHERE analysis_status = 'analyzed'), 0)::int AS analyzed_commits,
        coalesce(sum(sign) FILTER (WHERE analysis_status = 'pending'), 0)::int AS pending_commits,
        coalesce(sum(sign) FILTER (WHERE ai_confidence >= 0.5), 0)::int AS ai_commits
      FROM (
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, analysis_status, ai_confidence, 1 AS sign FROM new_rows
      ) changes
      GROUP BY org_id, repo_id, day
    ), appended AS (
      INSERT INTO repo_daily_activity (org_id, repo_id, day, commits, analyzed_commits, pending_commits, ai_commits)
      SELECT org_id, repo_id, day, commits, analyzed_commits, pending_commits, ai_commits FROM net
      WHERE (commits, analyzed_commits, pending_commits, ai_commits) <> (0, 0, 0, 0)
      RETURNING repo_id, day
    )
    SELECT array_agg(repo_id), array_agg(day) INTO repos, days FROM appended;
  ELSIF TG_OP = 'UPDATE' THEN
    WITH net AS (
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
    ), appended AS (
      INSERT INTO repo_daily_activity (org_id, repo_id, day, commits, analyzed_commits, pending_commits, ai_commits)
      SELECT org_id, repo_id, day, commits, analyzed_commits, pending_commits, ai_commits FROM net
      WHERE (commits, analyzed_commits, pending_commits, ai_commits) <> (0, 0, 0, 0)
      RETURNING repo_id, day
    )
    SELECT array_agg(repo_id), array_agg(day) INTO repos, days FROM appended;
  ELSE
    WITH net AS (
      SELECT org_id, repo_id, day,
        sum(sign)::int AS commits,
        coalesce(sum(sign) FILTER (WHERE analysis_status = 'analyzed'), 0)::int AS analyzed_commits,
        coalesce(sum(sign) FILTER (WHERE analysis_status = 'pending'), 0)::int AS pending_commits,
        coalesce(sum(sign) FILTER (WHERE ai_confidence >= 0.5), 0)::int AS ai_commits
      FROM (
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, analysis_status, ai_confidence, -1 AS sign FROM old_rows
      ) changes
      GROUP BY org_id, repo_id, day
    ), appended AS (
      INSERT INTO repo_daily_activity (org_id, repo_id, day, commits, analyzed_commits, pending_commits, ai_commits)
      SELECT org_id, repo_id, day, commits, analyzed_commits, pending_commits, ai_commits FROM net
      WHERE (commits, analyzed_commits, pending_commits, ai_commits) <> (0, 0, 0, 0)
      AND EXISTS (SELECT 1 FROM repositories r WHERE r.id = net.repo_id)
      RETURNING repo_id, day
    )
    SELECT array_agg(repo_id), array_agg(day) INTO repos, days FROM appended;
  END IF;
  PERFORM merge_repo_daily_rollups(repos, days);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION repo_daily_activity_from_code_attribution() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  repos uuid[];
  days date[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    WITH net AS (
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
    ), appended AS (
      INSERT INTO repo_daily_activity (org_id, repo_id, day, lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4)
      SELECT org_id, repo_id, day, lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4 FROM net
      WHERE (lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4) <> (0, 0, 0, 0, 0, 0, 0, 0)
      RETURNING repo_id, day
    )
    SELECT array_agg(repo_id), array_agg(day) INTO repos, days FROM appended;
    WITH net AS (
      SELECT org_id, repo_id, day, file_path,
        sum(sign)::int AS changes
      FROM (
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, file_path, 1 AS sign FROM new_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
      ) changes
      GROUP BY org_id, repo_id, day, file_path
    ), appended AS (
      INSERT INTO repo_daily_high_risk_files (org_id, repo_id, day, file_path, changes)
      SELECT org_id, repo_id, day, file_path, changes FROM net
      WHERE changes <> 0
      RETURNING repo_id, day
    )
    SELECT repos || coalesce(array_agg(repo_id), '{}'), days || coalesce(array_agg(day), '{}') INTO repos, days FROM appended;
  ELSIF TG_OP = 'UPDATE' THEN
    WITH net AS (
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
    ), appended AS (
      INSERT INTO repo_daily_activity (org_id, repo_id, day, lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4)
      SELECT org_id, repo_id, day, lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4 FROM net
      WHERE (lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4) <> (0, 0, 0, 0, 0, 0, 0, 0)
      RETURNING repo_id, day
    )
    SELECT array_agg(repo_id), array_agg(day) INTO repos, days FROM appended;
    WITH net AS (
      SELECT org_id, repo_id, day, file_path,
        sum(sign)::int AS changes
      FROM (
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, file_path, 1 AS sign FROM new_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
        UNION ALL
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, file_path, -1 AS sign FROM old_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
      ) changes
      GROUP BY org_id, repo_id, day, file_path
    ), appended AS (
      INSERT INTO repo_daily_high_risk_files (org_id, repo_id, day, file_path, changes)
      SELECT org_id, repo_id, day, file_path, changes FROM net
      WHERE changes <> 0
      RETURNING repo_id, day
    )
    SELECT repos || coalesce(array_agg(repo_id), '{}'), days || coalesce(array_agg(day), '{}') INTO repos, days FROM appended;
  ELSE
    WITH net AS (
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
    ), appended AS (
      INSERT INTO repo_daily_activity (org_id, repo_id, day, lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4)
      SELECT org_id, repo_id, day, lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4 FROM net
      WHERE (lines_t1, lines_t2, lines_t3, lines_t4, ai_lines_t1, ai_lines_t2, ai_lines_t3, ai_lines_t4) <> (0, 0, 0, 0, 0, 0, 0, 0)
      AND EXISTS (SELECT 1 FROM repositories r WHERE r.id = net.repo_id)
      RETURNING repo_id, day
    )
    SELECT array_agg(repo_id), array_agg(day) INTO repos, days FROM appended;
    WITH net AS (
      SELECT org_id, repo_id, day, file_path,
        sum(sign)::int AS changes
      FROM (
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, file_path, -1 AS sign FROM old_rows WHERE counts_toward_share AND risk_tier >= 3 AND ai_confidence >= 0.5
      ) changes
      GROUP BY org_id, repo_id, day, file_path
    ), appended AS (
      INSERT INTO repo_daily_high_risk_files (org_id, repo_id, day, file_path, changes)
      SELECT org_id, repo_id, day, file_path, changes FROM net
      WHERE changes <> 0
      AND EXISTS (SELECT 1 FROM repositories r WHERE r.id = net.repo_id)
      RETURNING repo_id, day
    )
    SELECT repos || coalesce(array_agg(repo_id), '{}'), days || coalesce(array_agg(day), '{}') INTO repos, days FROM appended;
  END IF;
  PERFORM merge_repo_daily_rollups(repos, days);
  RETURN NULL;
END $$;
