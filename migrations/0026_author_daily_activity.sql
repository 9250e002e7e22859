CREATE TABLE "author_daily_activity" (
	"org_id" uuid NOT NULL,
	"author_login" text NOT NULL,
	"day" date NOT NULL,
	"bin" smallint,
	"tool" text,
	"commits" integer DEFAULT 0 NOT NULL,
	"written_lines" bigint DEFAULT 0 NOT NULL,
	"confidence_sum" double precision DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "author_daily_activity" ADD CONSTRAINT "author_daily_activity_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "author_daily_activity_org_author_day_idx" ON "author_daily_activity" USING btree ("org_id","author_login","day","bin","tool","commits","written_lines","confidence_sum");--> statement-breakpoint
ALTER TABLE "author_daily_activity" SET (fillfactor = 70);
--> statement-breakpoint
CREATE TABLE "author_weekly_activity" (
	"org_id" uuid NOT NULL,
	"author_login" text NOT NULL,
	"week" date NOT NULL,
	"bin" smallint,
	"tool" text,
	"commits" integer DEFAULT 0 NOT NULL,
	"written_lines" bigint DEFAULT 0 NOT NULL,
	"confidence_sum" double precision DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "author_weekly_activity" ADD CONSTRAINT "author_weekly_activity_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "author_weekly_activity_org_author_week_idx" ON "author_weekly_activity" USING btree ("org_id","author_login","week","bin","tool","commits","written_lines","confidence_sum");--> statement-breakpoint
ALTER TABLE "author_weekly_activity" SET (fillfactor = 70);
--> statement-breakpoint
CREATE TABLE "author_daily_pull_requests" (
	"org_id" uuid NOT NULL,
	"author_login" text NOT NULL,
	"day" date NOT NULL,
	"merged" integer DEFAULT 0 NOT NULL,
	"merged_without_review" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "author_daily_pull_requests" ADD CONSTRAINT "author_daily_pull_requests_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "author_daily_pull_requests_org_author_day_idx" ON "author_daily_pull_requests" USING btree ("org_id","author_login","day","merged","merged_without_review");--> statement-breakpoint
ALTER TABLE "author_daily_pull_requests" SET (fillfactor = 70);
--> statement-breakpoint
-- ADR 080: what the team views read instead of every member's commits. Per organisation, author login and local day
-- (the organisation's time zone), the author's commits split by the confidence bin of migration 0019 (null: no
-- confidence yet) and, for commits at or above the AI threshold (0.5, domain/detection/threshold.ts), the tool
-- commit_ai_tool (migration 0023) names (null below it): how many, their written lines and the sum of their
-- confidences. Commits without an author login are never a team's and are left out.
--
-- Same scheme as add_repo_share_bins (0019): add the net change to a row of the key no other open transaction holds
-- (FOR UPDATE SKIP LOCKED), or insert one; a row that falls to zero is deleted. The same sums are kept per local ISO
-- week (its Monday) in author_weekly_activity, so a long range reads a row per week and only its edges by day. The rows are per author, not per
-- repository, so a repository's deleted commits are subtracted like any others; only when the organisation itself is
-- gone (its rows went with it) is nothing written.
CREATE FUNCTION add_author_daily_activity(
  p_org_id uuid,
  p_author_login text,
  p_day date,
  p_bin smallint,
  p_tool text,
  p_commits integer,
  p_written_lines bigint,
  p_confidence_sum double precision,
  p_deleting boolean
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  target tid;
  kept record;
  p_week date := p_day - (extract(isodow FROM p_day)::int - 1);
  organization_exists boolean := NOT p_deleting OR EXISTS (SELECT 1 FROM organizations WHERE id = p_org_id);
BEGIN
  SELECT ctid INTO target FROM author_daily_activity
  WHERE org_id = p_org_id AND author_login = p_author_login AND day = p_day
    AND bin IS NOT DISTINCT FROM p_bin AND tool IS NOT DISTINCT FROM p_tool
  LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE author_daily_activity SET
      commits = commits + p_commits,
      written_lines = written_lines + p_written_lines,
      confidence_sum = confidence_sum + p_confidence_sum
    WHERE ctid = target
    RETURNING ctid AS at, commits, written_lines, confidence_sum INTO kept;
    IF kept.commits = 0 AND kept.written_lines = 0 AND abs(kept.confidence_sum) < 1e-9 THEN
      DELETE FROM author_daily_activity WHERE ctid = kept.at;
    END IF;
  ELSIF organization_exists THEN
    INSERT INTO author_daily_activity (org_id, author_login, day, bin, tool, commits, written_lines, confidence_sum)
    VALUES (p_org_id, p_author_login, p_day, p_bin, p_tool, p_commits, p_written_lines, p_confidence_sum);
  END IF;

  SELECT ctid INTO target FROM author_weekly_activity
  WHERE org_id = p_org_id AND author_login = p_author_login AND week = p_week
    AND bin IS NOT DISTINCT FROM p_bin AND tool IS NOT DISTINCT FROM p_tool
  LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE author_weekly_activity SET
      commits = commits + p_commits,
      written_lines = written_lines + p_written_lines,
      confidence_sum = confidence_sum + p_confidence_sum
    WHERE ctid = target
    RETURNING ctid AS at, commits, written_lines, confidence_sum INTO kept;
    IF kept.commits = 0 AND kept.written_lines = 0 AND abs(kept.confidence_sum) < 1e-9 THEN
      DELETE FROM author_weekly_activity WHERE ctid = kept.at;
    END IF;
  ELSIF organization_exists THEN
    INSERT INTO author_weekly_activity (org_id, author_login, week, bin, tool, commits, written_lines, confidence_sum)
    VALUES (p_org_id, p_author_login, p_week, p_bin, p_tool, p_commits, p_written_lines, p_confidence_sum);
  END IF;
END $$;
--> statement-breakpoint
-- A commit's key: its bin (float8 arithmetic, as 0019 and shareBinOf; null without a confidence, which least() alone
-- would turn into 19) and, at 0.5 or above, its tool.
CREATE FUNCTION author_activity_bin(p_confidence real) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_confidence IS NOT NULL THEN least(floor(p_confidence::float8 * 20), 19)::smallint END
$$;
--> statement-breakpoint
CREATE FUNCTION author_activity_tool(p_confidence real, p_signals jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_confidence >= 0.5 THEN commit_ai_tool(p_signals) END
$$;
--> statement-breakpoint
-- Every commit with an author login counts once under (its local day, bin, tool): any change of login, authoring
-- time, confidence, signals or written lines moves it out of one key and into another; the net change per key is
-- written, so the many updates that change none of these (analysis status, pull request number) write nothing.
CREATE FUNCTION author_daily_activity_from_commits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each branch names only the transition tables its operation has.
  IF TG_OP = 'INSERT' THEN
    PERFORM add_author_daily_activity(net.org_id, net.author_login, net.day, net.bin, net.tool, net.commits, net.written_lines, net.confidence_sum, false)
    FROM (
      SELECT changes.org_id, changes.author_login, (changes.authored_at AT TIME ZONE o.timezone)::date AS day,
        author_activity_bin(changes.ai_confidence) AS bin, author_activity_tool(changes.ai_confidence, changes.signals) AS tool,
        sum(changes.sign)::int AS commits, sum(changes.sign * changes.written_lines)::bigint AS written_lines,
        coalesce(sum(changes.sign * changes.ai_confidence::float8), 0) AS confidence_sum
      FROM (
        SELECT org_id, author_login, authored_at, ai_confidence, signals, written_lines, 1 AS sign FROM new_rows WHERE author_login IS NOT NULL
      ) changes
      JOIN organizations o ON o.id = changes.org_id
      GROUP BY 1, 2, 3, 4, 5
      ORDER BY 1, 2, 3, 4, 5
    ) net
    WHERE net.commits <> 0 OR net.written_lines <> 0 OR abs(net.confidence_sum) >= 1e-9;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM add_author_daily_activity(net.org_id, net.author_login, net.day, net.bin, net.tool, net.commits, net.written_lines, net.confidence_sum, false)
    FROM (
      SELECT changes.org_id, changes.author_login, (changes.authored_at AT TIME ZONE o.timezone)::date AS day,
        author_activity_bin(changes.ai_confidence) AS bin, author_activity_tool(changes.ai_confidence, changes.signals) AS tool,
        sum(changes.sign)::int AS commits, sum(changes.sign * changes.written_lines)::bigint AS written_lines,
        coalesce(sum(changes.sign * changes.ai_confidence::float8), 0) AS confidence_sum
      FROM (
        SELECT org_id, author_login, authored_at, ai_confidence, signals, written_lines, 1 AS sign FROM new_rows WHERE author_login IS NOT NULL
        UNION ALL
        SELECT org_id, author_login, authored_at, ai_confidence, signals, written_lines, -1 AS sign FROM old_rows WHERE author_login IS NOT NULL
      ) changes
      JOIN organizations o ON o.id = changes.org_id
      GROUP BY 1, 2, 3, 4, 5
      ORDER BY 1, 2, 3, 4, 5
    ) net
    WHERE net.commits <> 0 OR net.written_lines <> 0 OR abs(net.confidence_sum) >= 1e-9;
  ELSE
    PERFORM add_author_daily_activity(net.org_id, net.author_login, net.day, net.bin, net.tool, net.commits, net.written_lines, net.confidence_sum, true)
    FROM (
      SELECT changes.org_id, changes.author_login, (changes.authored_at AT TIME ZONE o.timezone)::date AS day,
        author_activity_bin(changes.ai_confidence) AS bin, author_activity_tool(changes.ai_confidence, changes.signals) AS tool,
        sum(changes.sign)::int AS commits, sum(changes.sign * changes.written_lines)::bigint AS written_lines,
        coalesce(sum(changes.sign * changes.ai_confidence::float8), 0) AS confidence_sum
      FROM (
        SELECT org_id, author_login, authored_at, ai_confidence, signals, written_lines, -1 AS sign FROM old_rows WHERE author_login IS NOT NULL
      ) changes
      JOIN organizations o ON o.id = changes.org_id
      GROUP BY 1, 2, 3, 4, 5
      ORDER BY 1, 2, 3, 4, 5
    ) net
    WHERE net.commits <> 0 OR net.written_lines <> 0 OR abs(net.confidence_sum) >= 1e-9;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- The pull requests an author merged per local day of merged_at, and those merged with no review at all (no submitted
-- review and no first review time): the team views' other half, by the same scheme.
CREATE FUNCTION add_author_daily_pull_requests(p_org_id uuid, p_author_login text, p_day date, p_merged integer, p_without_review integer, p_deleting boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  target tid;
  kept record;
BEGIN
  SELECT ctid INTO target FROM author_daily_pull_requests
  WHERE org_id = p_org_id AND author_login = p_author_login AND day = p_day
  LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE author_daily_pull_requests SET merged = merged + p_merged, merged_without_review = merged_without_review + p_without_review
    WHERE ctid = target
    RETURNING ctid AS at, merged, merged_without_review INTO kept;
    IF kept.merged = 0 AND kept.merged_without_review = 0 THEN
      DELETE FROM author_daily_pull_requests WHERE ctid = kept.at;
    END IF;
  ELSIF NOT p_deleting OR EXISTS (SELECT 1 FROM organizations WHERE id = p_org_id) THEN
    INSERT INTO author_daily_pull_requests (org_id, author_login, day, merged, merged_without_review)
    VALUES (p_org_id, p_author_login, p_day, p_merged, p_without_review);
  END IF;
END $$;
--> statement-breakpoint
-- A merged pull request with an author login counts once on its local merge day: a merge, an unmerge, a first review,
-- a changed login or merge time moves it; webhook updates that change none of these net to nothing.
CREATE FUNCTION author_daily_pull_requests_from_pull_requests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM add_author_daily_pull_requests(net.org_id, net.author_login, net.day, net.merged, coalesce(net.without_review, 0), false)
    FROM (
      SELECT changes.org_id, changes.author_login, (changes.merged_at AT TIME ZONE o.timezone)::date AS day, sum(changes.sign)::int AS merged,
        sum(changes.sign) FILTER (WHERE changes.review_count = 0 AND changes.first_review_at IS NULL)::int AS without_review
      FROM (
        SELECT org_id, author_login, merged_at, review_count, first_review_at, 1 AS sign FROM new_rows WHERE merged_at IS NOT NULL AND author_login IS NOT NULL
      ) changes
      JOIN organizations o ON o.id = changes.org_id
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE net.merged <> 0 OR coalesce(net.without_review, 0) <> 0;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM add_author_daily_pull_requests(net.org_id, net.author_login, net.day, net.merged, coalesce(net.without_review, 0), false)
    FROM (
      SELECT changes.org_id, changes.author_login, (changes.merged_at AT TIME ZONE o.timezone)::date AS day, sum(changes.sign)::int AS merged,
        sum(changes.sign) FILTER (WHERE changes.review_count = 0 AND changes.first_review_at IS NULL)::int AS without_review
      FROM (
        SELECT org_id, author_login, merged_at, review_count, first_review_at, 1 AS sign FROM new_rows WHERE merged_at IS NOT NULL AND author_login IS NOT NULL
        UNION ALL
        SELECT org_id, author_login, merged_at, review_count, first_review_at, -1 AS sign FROM old_rows WHERE merged_at IS NOT NULL AND author_login IS NOT NULL
      ) changes
      JOIN organizations o ON o.id = changes.org_id
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE net.merged <> 0 OR coalesce(net.without_review, 0) <> 0;
  ELSE
    PERFORM add_author_daily_pull_requests(net.org_id, net.author_login, net.day, net.merged, coalesce(net.without_review, 0), true)
    FROM (
      SELECT changes.org_id, changes.author_login, (changes.merged_at AT TIME ZONE o.timezone)::date AS day, sum(changes.sign)::int AS merged,
        sum(changes.sign) FILTER (WHERE changes.review_count = 0 AND changes.first_review_at IS NULL)::int AS without_review
      FROM (
        SELECT org_id, author_login, merged_at, review_count, first_review_at, -1 AS sign FROM old_rows WHERE merged_at IS NOT NULL AND author_login IS NOT NULL
      ) changes
      JOIN organizations o ON o.id = changes.org_id
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE net.merged <> 0 OR coalesce(net.without_review, 0) <> 0;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A new time zone moves every day boundary: the organisation's rows are rebuilt from its commits and pull requests.
CREATE FUNCTION author_daily_activity_rezone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM author_daily_activity WHERE org_id = NEW.id;
  INSERT INTO author_daily_activity (org_id, author_login, day, bin, tool, commits, written_lines, confidence_sum)
  SELECT c.org_id, c.author_login, (c.authored_at AT TIME ZONE NEW.timezone)::date, author_activity_bin(c.ai_confidence),
    author_activity_tool(c.ai_confidence, c.signals), count(*)::int, sum(c.written_lines), coalesce(sum(c.ai_confidence::float8), 0)
  FROM commits c WHERE c.org_id = NEW.id AND c.author_login IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5;
  DELETE FROM author_weekly_activity WHERE org_id = NEW.id;
  INSERT INTO author_weekly_activity (org_id, author_login, week, bin, tool, commits, written_lines, confidence_sum)
  SELECT org_id, author_login, day - (extract(isodow FROM day)::int - 1), bin, tool, sum(commits)::int, sum(written_lines), sum(confidence_sum)
  FROM author_daily_activity WHERE org_id = NEW.id
  GROUP BY 1, 2, 3, 4, 5;
  DELETE FROM author_daily_pull_requests WHERE org_id = NEW.id;
  INSERT INTO author_daily_pull_requests (org_id, author_login, day, merged, merged_without_review)
  SELECT p.org_id, p.author_login, (p.merged_at AT TIME ZONE NEW.timezone)::date, count(*)::int,
    count(*) FILTER (WHERE p.review_count = 0 AND p.first_review_at IS NULL)::int
  FROM pull_requests p WHERE p.org_id = NEW.id AND p.merged_at IS NOT NULL AND p.author_login IS NOT NULL
  GROUP BY 1, 2, 3;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Backfill (the triggers below hold their table's lock until the migration commits).
INSERT INTO author_daily_activity (org_id, author_login, day, bin, tool, commits, written_lines, confidence_sum)
SELECT c.org_id, c.author_login, (c.authored_at AT TIME ZONE o.timezone)::date, author_activity_bin(c.ai_confidence),
  author_activity_tool(c.ai_confidence, c.signals), count(*)::int, sum(c.written_lines), coalesce(sum(c.ai_confidence::float8), 0)
FROM commits c JOIN organizations o ON o.id = c.org_id
WHERE c.author_login IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO author_weekly_activity (org_id, author_login, week, bin, tool, commits, written_lines, confidence_sum)
SELECT org_id, author_login, day - (extract(isodow FROM day)::int - 1), bin, tool, sum(commits)::int, sum(written_lines), sum(confidence_sum)
FROM author_daily_activity
GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO author_daily_pull_requests (org_id, author_login, day, merged, merged_without_review)
SELECT p.org_id, p.author_login, (p.merged_at AT TIME ZONE o.timezone)::date, count(*)::int,
  count(*) FILTER (WHERE p.review_count = 0 AND p.first_review_at IS NULL)::int
FROM pull_requests p JOIN organizations o ON o.id = p.org_id
WHERE p.merged_at IS NOT NULL AND p.author_login IS NOT NULL
GROUP BY 1, 2, 3;
--> statement-breakpoint
CREATE TRIGGER commits_author_activity_insert AFTER INSERT ON commits
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION author_daily_activity_from_commits();
--> statement-breakpoint
CREATE TRIGGER commits_author_activity_update AFTER UPDATE ON commits
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION author_daily_activity_from_commits();
--> statement-breakpoint
CREATE TRIGGER commits_author_activity_delete AFTER DELETE ON commits
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION author_daily_activity_from_commits();
--> statement-breakpoint
CREATE TRIGGER organizations_author_activity_rezone AFTER UPDATE OF timezone ON organizations
  FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone) EXECUTE FUNCTION author_daily_activity_rezone();
--> statement-breakpoint
CREATE TRIGGER pull_requests_author_activity_insert AFTER INSERT ON pull_requests
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION author_daily_pull_requests_from_pull_requests();
--> statement-breakpoint
CREATE TRIGGER pull_requests_author_activity_update AFTER UPDATE ON pull_requests
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION author_daily_pull_requests_from_pull_requests();
--> statement-breakpoint
CREATE TRIGGER pull_requests_author_activity_delete AFTER DELETE ON pull_requests
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION author_daily_pull_requests_from_pull_requests();
