CREATE TABLE "repo_weekly_tool_activity" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"week" date NOT NULL,
	"tool" text NOT NULL,
	"commits" integer DEFAULT 0 NOT NULL,
	"written_lines" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "repo_weekly_tool_lines" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"week" date NOT NULL,
	"tool" text NOT NULL,
	"lines_born" integer NOT NULL,
	"matured_lines" integer NOT NULL,
	"reworked_lines" integer NOT NULL,
	"deaths_by_week" integer[] NOT NULL,
	"censored_by_week" integer[] NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "repo_weekly_tool_activity" ADD CONSTRAINT "repo_weekly_tool_activity_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_weekly_tool_activity" ADD CONSTRAINT "repo_weekly_tool_activity_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_weekly_tool_lines" ADD CONSTRAINT "repo_weekly_tool_lines_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_weekly_tool_lines" ADD CONSTRAINT "repo_weekly_tool_lines_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "repo_weekly_tool_activity_org_week_idx" ON "repo_weekly_tool_activity" USING btree ("org_id","week","repo_id","tool","commits","written_lines");--> statement-breakpoint
CREATE INDEX "repo_weekly_tool_activity_repo_week_idx" ON "repo_weekly_tool_activity" USING btree ("repo_id","week","tool");--> statement-breakpoint
CREATE UNIQUE INDEX "repo_weekly_tool_lines_repo_week_tool_key" ON "repo_weekly_tool_lines" USING btree ("repo_id","week","tool");--> statement-breakpoint
CREATE INDEX "repo_weekly_tool_lines_org_week_idx" ON "repo_weekly_tool_lines" USING btree ("org_id","week");--> statement-breakpoint
ALTER TABLE "repo_weekly_tool_activity" SET (fillfactor = 70);
--> statement-breakpoint
-- ADR 078: the tool a commit judged AI-written counts under, as application/metrics/ai-tools.ts reads it: the first
-- stored signal naming an `agent` (the engine stores markers strongest first); with an `agent` key but none named, or
-- no marker at all, "unmarked"; a marker stored before markers recorded their tool (detector ≤ 1.3.0), "unknown".
-- The marker ids are domain/detection/types.ts MARKER_SIGNAL_IDS (ai-tools.test.ts checks the two lists agree).
CREATE FUNCTION commit_ai_tool(p_signals jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(jsonb_path_query_first(p_signals, '$[*] ? (@.agent != null).agent') #>> '{}', CASE
    WHEN jsonb_path_exists(p_signals, '$[*].agent') THEN 'unmarked'
    WHEN jsonb_path_exists(p_signals, '$[*] ? (@.id == "agent-identity" || @.id == "agent-coauthor-trailer" || @.id == "agent-generated-banner" || @.id == "agent-session-trailer" || @.id == "aider-message-prefix" || @.id == "agent-branch" || @.id == "agent-pr-marker" || @.id == "line-records")') THEN 'unknown'
    ELSE 'unmarked'
  END)
$$;
--> statement-breakpoint
-- The Monday of the ISO week an instant falls in, in a time zone.
CREATE FUNCTION local_iso_week(p_at timestamptz, p_zone text) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT date_trunc('week', p_at AT TIME ZONE p_zone)::date
$$;
--> statement-breakpoint
-- Same scheme as add_repo_share_bins (0019): add the net change to a row no other open transaction holds, or insert
-- one; delete a row that falls to zero; never recreate a row for a repository being deleted.
CREATE FUNCTION add_repo_weekly_tool_activity(p_org_id uuid, p_repo_id uuid, p_week date, p_tool text, p_commits integer, p_written_lines bigint, p_deleting boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  target tid;
  kept record;
BEGIN
  SELECT ctid INTO target FROM repo_weekly_tool_activity
  WHERE repo_id = p_repo_id AND week = p_week AND tool = p_tool
  LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE repo_weekly_tool_activity SET commits = commits + p_commits, written_lines = written_lines + p_written_lines
    WHERE ctid = target
    RETURNING ctid AS at, commits, written_lines INTO kept;
    IF kept.commits = 0 AND kept.written_lines = 0 THEN
      DELETE FROM repo_weekly_tool_activity WHERE ctid = kept.at;
    END IF;
  ELSIF NOT p_deleting OR EXISTS (SELECT 1 FROM repositories WHERE id = p_repo_id) THEN
    INSERT INTO repo_weekly_tool_activity (org_id, repo_id, week, tool, commits, written_lines)
    VALUES (p_org_id, p_repo_id, p_week, p_tool, p_commits, p_written_lines);
  END IF;
END $$;
--> statement-breakpoint
-- A commit at or above the AI threshold (0.5, domain/detection/threshold.ts) counts once under (its local week, its
-- tool): any change of confidence, authoring time, signals or written lines moves it; the net change per key is written.
CREATE FUNCTION repo_weekly_tool_activity_from_commits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each branch names only the transition tables its operation has.
  IF TG_OP = 'INSERT' THEN
    PERFORM add_repo_weekly_tool_activity(net.org_id, net.repo_id, net.week, net.tool, net.commits, net.written_lines, false)
    FROM (
      SELECT changes.org_id, changes.repo_id, local_iso_week(changes.authored_at, o.timezone) AS week, commit_ai_tool(changes.signals) AS tool,
        sum(changes.sign)::int AS commits, sum(changes.sign * changes.written_lines)::bigint AS written_lines
      FROM (
        SELECT org_id, repo_id, authored_at, signals, written_lines, 1 AS sign FROM new_rows WHERE ai_confidence >= 0.5
      ) changes
      JOIN organizations o ON o.id = changes.org_id
      GROUP BY 1, 2, 3, 4
      ORDER BY 1, 2, 3, 4
    ) net
    WHERE net.commits <> 0 OR net.written_lines <> 0;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM add_repo_weekly_tool_activity(net.org_id, net.repo_id, net.week, net.tool, net.commits, net.written_lines, false)
    FROM (
      SELECT changes.org_id, changes.repo_id, local_iso_week(changes.authored_at, o.timezone) AS week, commit_ai_tool(changes.signals) AS tool,
        sum(changes.sign)::int AS commits, sum(changes.sign * changes.written_lines)::bigint AS written_lines
      FROM (
        SELECT org_id, repo_id, authored_at, signals, written_lines, 1 AS sign FROM new_rows WHERE ai_confidence >= 0.5
        UNION ALL
        SELECT org_id, repo_id, authored_at, signals, written_lines, -1 AS sign FROM old_rows WHERE ai_confidence >= 0.5
      ) changes
      JOIN organizations o ON o.id = changes.org_id
      GROUP BY 1, 2, 3, 4
      ORDER BY 1, 2, 3, 4
    ) net
    WHERE net.commits <> 0 OR net.written_lines <> 0;
  ELSE
    PERFORM add_repo_weekly_tool_activity(net.org_id, net.repo_id, net.week, net.tool, net.commits, net.written_lines, true)
    FROM (
      SELECT changes.org_id, changes.repo_id, local_iso_week(changes.authored_at, o.timezone) AS week, commit_ai_tool(changes.signals) AS tool,
        sum(changes.sign)::int AS commits, sum(changes.sign * changes.written_lines)::bigint AS written_lines
      FROM (
        SELECT org_id, repo_id, authored_at, signals, written_lines, -1 AS sign FROM old_rows WHERE ai_confidence >= 0.5
      ) changes
      JOIN organizations o ON o.id = changes.org_id
      GROUP BY 1, 2, 3, 4
      ORDER BY 1, 2, 3, 4
    ) net
    WHERE net.commits <> 0 OR net.written_lines <> 0;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A new time zone moves every week boundary: the organisation's rows are rebuilt from its commits.
CREATE FUNCTION repo_weekly_tool_activity_rezone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM repo_weekly_tool_activity WHERE org_id = NEW.id;
  INSERT INTO repo_weekly_tool_activity (org_id, repo_id, week, tool, commits, written_lines)
  SELECT c.org_id, c.repo_id, local_iso_week(c.authored_at, NEW.timezone), commit_ai_tool(c.signals), count(*)::int, sum(c.written_lines)
  FROM commits c WHERE c.org_id = NEW.id AND c.ai_confidence >= 0.5
  GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Backfill (the triggers below hold their table's lock until the migration commits).
INSERT INTO repo_weekly_tool_activity (org_id, repo_id, week, tool, commits, written_lines)
SELECT c.org_id, c.repo_id, local_iso_week(c.authored_at, o.timezone), commit_ai_tool(c.signals), count(*)::int, sum(c.written_lines)
FROM commits c JOIN organizations o ON o.id = c.org_id
WHERE c.ai_confidence >= 0.5
GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
CREATE TRIGGER commits_tool_activity_insert AFTER INSERT ON commits
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_weekly_tool_activity_from_commits();
--> statement-breakpoint
CREATE TRIGGER commits_tool_activity_update AFTER UPDATE ON commits
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_weekly_tool_activity_from_commits();
--> statement-breakpoint
CREATE TRIGGER commits_tool_activity_delete AFTER DELETE ON commits
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_weekly_tool_activity_from_commits();
--> statement-breakpoint
CREATE TRIGGER organizations_tool_activity_rezone AFTER UPDATE OF timezone ON organizations
  FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone) EXECUTE FUNCTION repo_weekly_tool_activity_rezone();
