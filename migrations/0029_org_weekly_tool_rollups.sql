-- ADR 083: the organisation's AI tools read (ADR 078, 081) sums every repository's rows of the range: over 365 days of
-- 100 repositories ~22,000 activity rows and ~9,000 life-table rows, where the chart and the pooled figures need one
-- row per (week, tool). These two tables hold those sums per organisation, week and tool, kept exact by
-- statement-level triggers on the repository-level rollups: whatever writes them (the commits triggers of 0023, a time
-- zone's rebuild, the survival run's upsert and delete, a repository's or organisation's cascade) moves the
-- organisation's rows by the same net change in the same transaction.
--
-- Rows are changes, as 0019/0023/0025: a writer adds its net change per key to a row no other open transaction holds
-- (FOR UPDATE SKIP LOCKED) or inserts a row of its own, so it never waits on another writer here; a key may have
-- several rows (readers sum them), a row falling to zero is deleted. Disabled repositories stay in: readers subtract
-- their repository rows (rarely any), so disabling or enabling one writes nothing.
CREATE TABLE "org_weekly_tool_activity" (
	"org_id" uuid NOT NULL,
	"week" date NOT NULL,
	"tool" text NOT NULL,
	"commits" integer DEFAULT 0 NOT NULL,
	"written_lines" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "org_weekly_tool_lines" (
	"org_id" uuid NOT NULL,
	"week" date NOT NULL,
	"tool" text NOT NULL,
	"lines_born" integer DEFAULT 0 NOT NULL,
	"matured_lines" integer DEFAULT 0 NOT NULL,
	"reworked_lines" integer DEFAULT 0 NOT NULL,
	"deaths_week_0" integer DEFAULT 0 NOT NULL,
	"deaths_week_1" integer DEFAULT 0 NOT NULL,
	"deaths_week_2" integer DEFAULT 0 NOT NULL,
	"deaths_week_3" integer DEFAULT 0 NOT NULL,
	"deaths_week_4" integer DEFAULT 0 NOT NULL,
	"deaths_week_5" integer DEFAULT 0 NOT NULL,
	"deaths_week_6" integer DEFAULT 0 NOT NULL,
	"deaths_week_7" integer DEFAULT 0 NOT NULL,
	"deaths_week_8" integer DEFAULT 0 NOT NULL,
	"deaths_week_9" integer DEFAULT 0 NOT NULL,
	"deaths_week_10" integer DEFAULT 0 NOT NULL,
	"deaths_week_11" integer DEFAULT 0 NOT NULL,
	"censored_week_0" integer DEFAULT 0 NOT NULL,
	"censored_week_1" integer DEFAULT 0 NOT NULL,
	"censored_week_2" integer DEFAULT 0 NOT NULL,
	"censored_week_3" integer DEFAULT 0 NOT NULL,
	"censored_week_4" integer DEFAULT 0 NOT NULL,
	"censored_week_5" integer DEFAULT 0 NOT NULL,
	"censored_week_6" integer DEFAULT 0 NOT NULL,
	"censored_week_7" integer DEFAULT 0 NOT NULL,
	"censored_week_8" integer DEFAULT 0 NOT NULL,
	"censored_week_9" integer DEFAULT 0 NOT NULL,
	"censored_week_10" integer DEFAULT 0 NOT NULL,
	"censored_week_11" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "org_weekly_tool_activity" ADD CONSTRAINT "org_weekly_tool_activity_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_weekly_tool_lines" ADD CONSTRAINT "org_weekly_tool_lines_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "org_weekly_tool_activity_org_week_idx" ON "org_weekly_tool_activity" USING btree ("org_id","week","tool","commits","written_lines");--> statement-breakpoint
CREATE INDEX "org_weekly_tool_lines_org_week_idx" ON "org_weekly_tool_lines" USING btree ("org_id","week","tool");--> statement-breakpoint
ALTER TABLE "org_weekly_tool_activity" SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE "org_weekly_tool_lines" SET (fillfactor = 70);
--> statement-breakpoint
-- Add a net change to a row of (organisation, week, tool) that no other open transaction holds, or insert one; delete a
-- row that falls to zero; never insert a row for an organisation being deleted (its rows go with it).
CREATE FUNCTION add_org_weekly_tool_activity(p_org_id uuid, p_week date, p_tool text, p_commits integer, p_written_lines bigint, p_deleting boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  target tid;
  kept record;
BEGIN
  SELECT ctid INTO target FROM org_weekly_tool_activity
  WHERE org_id = p_org_id AND week = p_week AND tool = p_tool
  LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE org_weekly_tool_activity SET commits = commits + p_commits, written_lines = written_lines + p_written_lines
    WHERE ctid = target
    RETURNING ctid AS at, commits, written_lines INTO kept;
    IF kept.commits = 0 AND kept.written_lines = 0 THEN
      DELETE FROM org_weekly_tool_activity WHERE ctid = kept.at;
    END IF;
  ELSIF NOT p_deleting OR EXISTS (SELECT 1 FROM organizations WHERE id = p_org_id) THEN
    INSERT INTO org_weekly_tool_activity (org_id, week, tool, commits, written_lines)
    VALUES (p_org_id, p_week, p_tool, p_commits, p_written_lines);
  END IF;
END $$;
--> statement-breakpoint
-- The net change of a statement on repo_weekly_tool_activity per (organisation, week, tool), in key order.
CREATE FUNCTION org_weekly_tool_activity_from_repos() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each branch names only the transition tables its operation has.
  IF TG_OP = 'INSERT' THEN
    PERFORM add_org_weekly_tool_activity(net.org_id, net.week, net.tool, net.commits, net.written_lines, false)
    FROM (
      SELECT org_id, week, tool, sum(commits)::int AS commits, sum(written_lines)::bigint AS written_lines
      FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ) net
    WHERE net.commits <> 0 OR net.written_lines <> 0;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM add_org_weekly_tool_activity(net.org_id, net.week, net.tool, net.commits, net.written_lines, false)
    FROM (
      SELECT org_id, week, tool, sum(commits)::int AS commits, sum(written_lines)::bigint AS written_lines
      FROM (
        SELECT org_id, week, tool, commits, written_lines FROM new_rows
        UNION ALL
        SELECT org_id, week, tool, -commits, -written_lines FROM old_rows
      ) changes
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ) net
    WHERE net.commits <> 0 OR net.written_lines <> 0;
  ELSE
    PERFORM add_org_weekly_tool_activity(net.org_id, net.week, net.tool, net.commits, net.written_lines, true)
    FROM (
      SELECT org_id, week, tool, -sum(commits)::int AS commits, -sum(written_lines)::bigint AS written_lines
      FROM old_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ) net
    WHERE net.commits <> 0 OR net.written_lines <> 0;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- The same for a life table: p_delta holds the change of each column, in the order
-- (lines_born, matured_lines, reworked_lines, deaths_week_0..11, censored_week_0..11).
CREATE FUNCTION add_org_weekly_tool_lines(p_org_id uuid, p_week date, p_tool text, p_delta integer[], p_deleting boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  target tid;
  kept record;
BEGIN
  SELECT ctid INTO target FROM org_weekly_tool_lines
  WHERE org_id = p_org_id AND week = p_week AND tool = p_tool
  LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE org_weekly_tool_lines SET
      lines_born = lines_born + p_delta[1],
      matured_lines = matured_lines + p_delta[2],
      reworked_lines = reworked_lines + p_delta[3],
      deaths_week_0 = deaths_week_0 + p_delta[4],
      deaths_week_1 = deaths_week_1 + p_delta[5],
      deaths_week_2 = deaths_week_2 + p_delta[6],
      deaths_week_3 = deaths_week_3 + p_delta[7],
      deaths_week_4 = deaths_week_4 + p_delta[8],
      deaths_week_5 = deaths_week_5 + p_delta[9],
      deaths_week_6 = deaths_week_6 + p_delta[10],
      deaths_week_7 = deaths_week_7 + p_delta[11],
      deaths_week_8 = deaths_week_8 + p_delta[12],
      deaths_week_9 = deaths_week_9 + p_delta[13],
      deaths_week_10 = deaths_week_10 + p_delta[14],
      deaths_week_11 = deaths_week_11 + p_delta[15],
      censored_week_0 = censored_week_0 + p_delta[16],
      censored_week_1 = censored_week_1 + p_delta[17],
      censored_week_2 = censored_week_2 + p_delta[18],
      censored_week_3 = censored_week_3 + p_delta[19],
      censored_week_4 = censored_week_4 + p_delta[20],
      censored_week_5 = censored_week_5 + p_delta[21],
      censored_week_6 = censored_week_6 + p_delta[22],
      censored_week_7 = censored_week_7 + p_delta[23],
      censored_week_8 = censored_week_8 + p_delta[24],
      censored_week_9 = censored_week_9 + p_delta[25],
      censored_week_10 = censored_week_10 + p_delta[26],
      censored_week_11 = censored_week_11 + p_delta[27]
    WHERE ctid = target
    RETURNING ctid AS at, ARRAY[lines_born, matured_lines, reworked_lines, deaths_week_0, deaths_week_1, deaths_week_2, deaths_week_3, deaths_week_4, deaths_week_5, deaths_week_6, deaths_week_7, deaths_week_8, deaths_week_9, deaths_week_10, deaths_week_11, censored_week_0, censored_week_1, censored_week_2, censored_week_3, censored_week_4, censored_week_5, censored_week_6, censored_week_7, censored_week_8, censored_week_9, censored_week_10, censored_week_11] AS totals INTO kept;
    IF kept.totals = '{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0}'::int[] THEN
      DELETE FROM org_weekly_tool_lines WHERE ctid = kept.at;
    END IF;
  ELSIF NOT p_deleting OR EXISTS (SELECT 1 FROM organizations WHERE id = p_org_id) THEN
    INSERT INTO org_weekly_tool_lines (org_id, week, tool, lines_born, matured_lines, reworked_lines, deaths_week_0, deaths_week_1, deaths_week_2, deaths_week_3, deaths_week_4, deaths_week_5, deaths_week_6, deaths_week_7, deaths_week_8, deaths_week_9, deaths_week_10, deaths_week_11, censored_week_0, censored_week_1, censored_week_2, censored_week_3, censored_week_4, censored_week_5, censored_week_6, censored_week_7, censored_week_8, censored_week_9, censored_week_10, censored_week_11)
    VALUES (p_org_id, p_week, p_tool, p_delta[1], p_delta[2], p_delta[3], p_delta[4], p_delta[5], p_delta[6], p_delta[7], p_delta[8], p_delta[9], p_delta[10], p_delta[11], p_delta[12], p_delta[13], p_delta[14], p_delta[15], p_delta[16], p_delta[17], p_delta[18], p_delta[19], p_delta[20], p_delta[21], p_delta[22], p_delta[23], p_delta[24], p_delta[25], p_delta[26], p_delta[27]);
  END IF;
END $$;
--> statement-breakpoint
-- The net change of a statement on repo_weekly_tool_lines per (organisation, week, tool), in key order: the survival
-- run's upsert fires the INSERT trigger for the rows it inserted and the UPDATE trigger for those it replaced (an
-- update that changed as_of only nets to zero and writes nothing), its delete the DELETE trigger.
CREATE FUNCTION org_weekly_tool_lines_from_repos() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each branch names only the transition tables its operation has.
  IF TG_OP = 'INSERT' THEN
    PERFORM add_org_weekly_tool_lines(net.org_id, net.week, net.tool, net.delta, false)
    FROM (
      SELECT org_id, week, tool,
        ARRAY[sum(lines_born), sum(matured_lines), sum(reworked_lines), sum(deaths_week_0), sum(deaths_week_1), sum(deaths_week_2), sum(deaths_week_3), sum(deaths_week_4), sum(deaths_week_5), sum(deaths_week_6), sum(deaths_week_7), sum(deaths_week_8), sum(deaths_week_9), sum(deaths_week_10), sum(deaths_week_11), sum(censored_week_0), sum(censored_week_1), sum(censored_week_2), sum(censored_week_3), sum(censored_week_4), sum(censored_week_5), sum(censored_week_6), sum(censored_week_7), sum(censored_week_8), sum(censored_week_9), sum(censored_week_10), sum(censored_week_11)]::int[] AS delta
      FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ) net
    WHERE net.delta <> '{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0}'::int[];
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM add_org_weekly_tool_lines(net.org_id, net.week, net.tool, net.delta, false)
    FROM (
      SELECT org_id, week, tool,
        ARRAY[sum(lines_born), sum(matured_lines), sum(reworked_lines), sum(deaths_week_0), sum(deaths_week_1), sum(deaths_week_2), sum(deaths_week_3), sum(deaths_week_4), sum(deaths_week_5), sum(deaths_week_6), sum(deaths_week_7), sum(deaths_week_8), sum(deaths_week_9), sum(deaths_week_10), sum(deaths_week_11), sum(censored_week_0), sum(censored_week_1), sum(censored_week_2), sum(censored_week_3), sum(censored_week_4), sum(censored_week_5), sum(censored_week_6), sum(censored_week_7), sum(censored_week_8), sum(censored_week_9), sum(censored_week_10), sum(censored_week_11)]::int[] AS delta
      FROM (
        SELECT org_id, week, tool, lines_born, matured_lines, reworked_lines, deaths_week_0, deaths_week_1, deaths_week_2, deaths_week_3, deaths_week_4, deaths_week_5, deaths_week_6, deaths_week_7, deaths_week_8, deaths_week_9, deaths_week_10, deaths_week_11, censored_week_0, censored_week_1, censored_week_2, censored_week_3, censored_week_4, censored_week_5, censored_week_6, censored_week_7, censored_week_8, censored_week_9, censored_week_10, censored_week_11 FROM new_rows
        UNION ALL
        SELECT org_id, week, tool, -lines_born, -matured_lines, -reworked_lines, -deaths_week_0, -deaths_week_1, -deaths_week_2, -deaths_week_3, -deaths_week_4, -deaths_week_5, -deaths_week_6, -deaths_week_7, -deaths_week_8, -deaths_week_9, -deaths_week_10, -deaths_week_11, -censored_week_0, -censored_week_1, -censored_week_2, -censored_week_3, -censored_week_4, -censored_week_5, -censored_week_6, -censored_week_7, -censored_week_8, -censored_week_9, -censored_week_10, -censored_week_11 FROM old_rows
      ) changes
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ) net
    WHERE net.delta <> '{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0}'::int[];
  ELSE
    PERFORM add_org_weekly_tool_lines(net.org_id, net.week, net.tool, net.delta, true)
    FROM (
      SELECT org_id, week, tool,
        ARRAY[-sum(lines_born), -sum(matured_lines), -sum(reworked_lines), -sum(deaths_week_0), -sum(deaths_week_1), -sum(deaths_week_2), -sum(deaths_week_3), -sum(deaths_week_4), -sum(deaths_week_5), -sum(deaths_week_6), -sum(deaths_week_7), -sum(deaths_week_8), -sum(deaths_week_9), -sum(deaths_week_10), -sum(deaths_week_11), -sum(censored_week_0), -sum(censored_week_1), -sum(censored_week_2), -sum(censored_week_3), -sum(censored_week_4), -sum(censored_week_5), -sum(censored_week_6), -sum(censored_week_7), -sum(censored_week_8), -sum(censored_week_9), -sum(censored_week_10), -sum(censored_week_11)]::int[] AS delta
      FROM old_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ) net
    WHERE net.delta <> '{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0}'::int[];
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER repo_weekly_tool_activity_org_insert AFTER INSERT ON repo_weekly_tool_activity
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_weekly_tool_activity_from_repos();
--> statement-breakpoint
CREATE TRIGGER repo_weekly_tool_activity_org_update AFTER UPDATE ON repo_weekly_tool_activity
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_weekly_tool_activity_from_repos();
--> statement-breakpoint
CREATE TRIGGER repo_weekly_tool_activity_org_delete AFTER DELETE ON repo_weekly_tool_activity
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION org_weekly_tool_activity_from_repos();
--> statement-breakpoint
CREATE TRIGGER repo_weekly_tool_lines_org_insert AFTER INSERT ON repo_weekly_tool_lines
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_weekly_tool_lines_from_repos();
--> statement-breakpoint
CREATE TRIGGER repo_weekly_tool_lines_org_update AFTER UPDATE ON repo_weekly_tool_lines
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_weekly_tool_lines_from_repos();
--> statement-breakpoint
CREATE TRIGGER repo_weekly_tool_lines_org_delete AFTER DELETE ON repo_weekly_tool_lines
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION org_weekly_tool_lines_from_repos();
--> statement-breakpoint
-- Backfill, now that the triggers exist: CREATE TRIGGER holds each repository-level table's lock until the migration
-- commits, so no write lands between the sums read here and the triggers taking over.
INSERT INTO org_weekly_tool_activity (org_id, week, tool, commits, written_lines)
SELECT org_id, week, tool, sum(commits)::int, sum(written_lines)::bigint
FROM repo_weekly_tool_activity
GROUP BY 1, 2, 3
HAVING sum(commits) <> 0 OR sum(written_lines) <> 0;
--> statement-breakpoint
INSERT INTO org_weekly_tool_lines (org_id, week, tool, lines_born, matured_lines, reworked_lines, deaths_week_0, deaths_week_1, deaths_week_2, deaths_week_3, deaths_week_4, deaths_week_5, deaths_week_6, deaths_week_7, deaths_week_8, deaths_week_9, deaths_week_10, deaths_week_11, censored_week_0, censored_week_1, censored_week_2, censored_week_3, censored_week_4, censored_week_5, censored_week_6, censored_week_7, censored_week_8, censored_week_9, censored_week_10, censored_week_11)
SELECT org_id, week, tool, sum(lines_born)::int, sum(matured_lines)::int, sum(reworked_lines)::int, sum(deaths_week_0)::int, sum(deaths_week_1)::int, sum(deaths_week_2)::int, sum(deaths_week_3)::int, sum(deaths_week_4)::int, sum(deaths_week_5)::int, sum(deaths_week_6)::int, sum(deaths_week_7)::int, sum(deaths_week_8)::int, sum(deaths_week_9)::int, sum(deaths_week_10)::int, sum(deaths_week_11)::int, sum(censored_week_0)::int, sum(censored_week_1)::int, sum(censored_week_2)::int, sum(censored_week_3)::int, sum(censored_week_4)::int, sum(censored_week_5)::int, sum(censored_week_6)::int, sum(censored_week_7)::int, sum(censored_week_8)::int, sum(censored_week_9)::int, sum(censored_week_10)::int, sum(censored_week_11)::int
FROM repo_weekly_tool_lines
GROUP BY 1, 2, 3;
