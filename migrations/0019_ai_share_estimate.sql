CREATE TABLE "repo_daily_share_bins" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"day" date NOT NULL,
	"bin" smallint NOT NULL,
	"detector_version" text NOT NULL,
	"commits" integer DEFAULT 0 NOT NULL,
	"written_lines" bigint DEFAULT 0 NOT NULL,
	"written_lines_t1" bigint DEFAULT 0 NOT NULL,
	"written_lines_t2" bigint DEFAULT 0 NOT NULL,
	"written_lines_t3" bigint DEFAULT 0 NOT NULL,
	"written_lines_t4" bigint DEFAULT 0 NOT NULL,
	"confidence_sum" double precision DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "repo_weekly_share_bins" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"week" date NOT NULL,
	"bin" smallint NOT NULL,
	"detector_version" text NOT NULL,
	"commits" integer DEFAULT 0 NOT NULL,
	"written_lines" bigint DEFAULT 0 NOT NULL,
	"written_lines_t1" bigint DEFAULT 0 NOT NULL,
	"written_lines_t2" bigint DEFAULT 0 NOT NULL,
	"written_lines_t3" bigint DEFAULT 0 NOT NULL,
	"written_lines_t4" bigint DEFAULT 0 NOT NULL,
	"confidence_sum" double precision DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "code_attribution" ADD COLUMN "written_lines" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "code_attribution" ADD COLUMN "exclusion" text;--> statement-breakpoint
ALTER TABLE "commits" ADD COLUMN "written_lines" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "commits" ADD COLUMN "written_lines_t1" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "commits" ADD COLUMN "written_lines_t2" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "commits" ADD COLUMN "written_lines_t3" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "commits" ADD COLUMN "written_lines_t4" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "written_lines" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "ai_share_low" real;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "ai_share_high" real;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "ai_prior" real;--> statement-breakpoint
ALTER TABLE "repo_metrics" ADD COLUMN "detector_version" text;--> statement-breakpoint
ALTER TABLE "repo_daily_share_bins" ADD CONSTRAINT "repo_daily_share_bins_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_daily_share_bins" ADD CONSTRAINT "repo_daily_share_bins_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_weekly_share_bins" ADD CONSTRAINT "repo_weekly_share_bins_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_weekly_share_bins" ADD CONSTRAINT "repo_weekly_share_bins_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "repo_daily_share_bins_org_repo_day_idx" ON "repo_daily_share_bins" USING btree ("org_id","repo_id","day","bin");--> statement-breakpoint
CREATE INDEX "repo_weekly_share_bins_org_repo_week_idx" ON "repo_weekly_share_bins" USING btree ("org_id","repo_id","week","bin");--> statement-breakpoint
-- ADR 033: AI share is estimated from confidence bins, not counted from files at or above 0.5. Written lines are
-- stored per attribution row and summed onto the commit (in all and by risk tier), so the bins below are a function of
-- the commit rows alone. Existing rows: every added line of a counted file was written (the engine's rule before it
-- reported written lines). The rollup triggers of 0007/0014 read neither column: they are held off while the columns
-- are filled, instead of aggregating every row twice for a change of nothing they keep.
ALTER TABLE "repo_daily_share_bins" SET (fillfactor = 70);
--> statement-breakpoint
ALTER TABLE "repo_weekly_share_bins" SET (fillfactor = 70);
--> statement-breakpoint
ALTER TABLE "code_attribution" DISABLE TRIGGER code_attribution_daily_activity_update;
--> statement-breakpoint
UPDATE "code_attribution" SET "written_lines" = "lines_added" WHERE "counts_toward_share" AND "lines_added" <> 0;
--> statement-breakpoint
ALTER TABLE "code_attribution" ENABLE TRIGGER code_attribution_daily_activity_update;
--> statement-breakpoint
ALTER TABLE "commits" DISABLE TRIGGER commits_daily_activity_update;
--> statement-breakpoint
UPDATE "commits" c SET "written_lines" = w.total, "written_lines_t1" = w.t1, "written_lines_t2" = w.t2, "written_lines_t3" = w.t3, "written_lines_t4" = w.t4
FROM (
  SELECT repo_id, commit_sha, sum(written_lines)::int AS total,
    coalesce(sum(written_lines) FILTER (WHERE risk_tier = 1), 0)::int AS t1,
    coalesce(sum(written_lines) FILTER (WHERE risk_tier = 2), 0)::int AS t2,
    coalesce(sum(written_lines) FILTER (WHERE risk_tier = 3), 0)::int AS t3,
    coalesce(sum(written_lines) FILTER (WHERE risk_tier = 4), 0)::int AS t4
  FROM code_attribution WHERE counts_toward_share GROUP BY repo_id, commit_sha
) w
WHERE c.repo_id = w.repo_id AND c.sha = w.commit_sha AND w.total <> 0;
--> statement-breakpoint
ALTER TABLE "commits" ENABLE TRIGGER commits_daily_activity_update;
--> statement-breakpoint
-- One writer adds its net change to a row of each rollup that no other open transaction holds (FOR UPDATE SKIP
-- LOCKED, as 0010 does), or inserts a row of its own: writers never wait for each other. A row left at all zeros
-- (a re-score moved its commits to another bin or detector version) is deleted, so re-scored history does not leave
-- a trail of empty rows for readers to sum.
CREATE FUNCTION add_repo_share_bins(
  p_org_id uuid,
  p_repo_id uuid,
  p_day date,
  p_bin smallint,
  p_detector_version text,
  p_commits integer,
  p_written_lines bigint,
  p_t1 bigint,
  p_t2 bigint,
  p_t3 bigint,
  p_t4 bigint,
  p_confidence_sum double precision,
  p_deleting boolean
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  target tid;
  kept record;
  p_week date := p_day - (extract(isodow FROM p_day)::int - 1);
  repository_exists boolean := NOT p_deleting OR EXISTS (SELECT 1 FROM repositories WHERE id = p_repo_id);
BEGIN
  SELECT ctid INTO target FROM repo_daily_share_bins
  WHERE org_id = p_org_id AND repo_id = p_repo_id AND day = p_day AND bin = p_bin AND detector_version = p_detector_version
  LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE repo_daily_share_bins SET
      commits = commits + p_commits,
      written_lines = written_lines + p_written_lines,
      written_lines_t1 = written_lines_t1 + p_t1,
      written_lines_t2 = written_lines_t2 + p_t2,
      written_lines_t3 = written_lines_t3 + p_t3,
      written_lines_t4 = written_lines_t4 + p_t4,
      confidence_sum = confidence_sum + p_confidence_sum
    WHERE ctid = target
    RETURNING ctid AS at, commits, written_lines, written_lines_t1, written_lines_t2, written_lines_t3, written_lines_t4, confidence_sum INTO kept;
    IF (kept.commits, kept.written_lines, kept.written_lines_t1, kept.written_lines_t2, kept.written_lines_t3, kept.written_lines_t4) = (0, 0, 0, 0, 0, 0)
       AND abs(kept.confidence_sum) < 1e-9 THEN
      DELETE FROM repo_daily_share_bins WHERE ctid = kept.at;
    END IF;
  ELSIF repository_exists THEN
    INSERT INTO repo_daily_share_bins (org_id, repo_id, day, bin, detector_version, commits, written_lines, written_lines_t1, written_lines_t2, written_lines_t3, written_lines_t4, confidence_sum)
    VALUES (p_org_id, p_repo_id, p_day, p_bin, p_detector_version, p_commits, p_written_lines, p_t1, p_t2, p_t3, p_t4, p_confidence_sum);
  END IF;

  SELECT ctid INTO target FROM repo_weekly_share_bins
  WHERE org_id = p_org_id AND repo_id = p_repo_id AND week = p_week AND bin = p_bin AND detector_version = p_detector_version
  LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE repo_weekly_share_bins SET
      commits = commits + p_commits,
      written_lines = written_lines + p_written_lines,
      written_lines_t1 = written_lines_t1 + p_t1,
      written_lines_t2 = written_lines_t2 + p_t2,
      written_lines_t3 = written_lines_t3 + p_t3,
      written_lines_t4 = written_lines_t4 + p_t4,
      confidence_sum = confidence_sum + p_confidence_sum
    WHERE ctid = target
    RETURNING ctid AS at, commits, written_lines, written_lines_t1, written_lines_t2, written_lines_t3, written_lines_t4, confidence_sum INTO kept;
    IF (kept.commits, kept.written_lines, kept.written_lines_t1, kept.written_lines_t2, kept.written_lines_t3, kept.written_lines_t4) = (0, 0, 0, 0, 0, 0)
       AND abs(kept.confidence_sum) < 1e-9 THEN
      DELETE FROM repo_weekly_share_bins WHERE ctid = kept.at;
    END IF;
  ELSIF repository_exists THEN
    INSERT INTO repo_weekly_share_bins (org_id, repo_id, week, bin, detector_version, commits, written_lines, written_lines_t1, written_lines_t2, written_lines_t3, written_lines_t4, confidence_sum)
    VALUES (p_org_id, p_repo_id, p_week, p_bin, p_detector_version, p_commits, p_written_lines, p_t1, p_t2, p_t3, p_t4, p_confidence_sum);
  END IF;
END $$;
--> statement-breakpoint
-- An analysed commit with a confidence counts once in its bin: (commit day, bin of its confidence, detector version).
-- Any change of status, confidence, day, version or written lines moves it out of one key and into another; the net
-- change per key is what is written. Bins: width 0.05, bin 19 holds [0.95, 1].
CREATE FUNCTION repo_share_bins_from_commits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM add_repo_share_bins(net.org_id, net.repo_id, net.day, net.bin, net.detector_version, net.commits, net.written_lines,
      net.t1, net.t2, net.t3, net.t4, net.confidence_sum, false)
    FROM (
      SELECT org_id, repo_id, day, bin, detector_version, sum(sign)::int AS commits, sum(sign * written_lines)::bigint AS written_lines,
        sum(sign * t1)::bigint AS t1, sum(sign * t2)::bigint AS t2, sum(sign * t3)::bigint AS t3, sum(sign * t4)::bigint AS t4,
        sum(sign * confidence) AS confidence_sum
      FROM (
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, least(floor(ai_confidence::float8 * 20), 19)::smallint AS bin,
          coalesce(detector_version, '') AS detector_version, written_lines, written_lines_t1 AS t1, written_lines_t2 AS t2,
          written_lines_t3 AS t3, written_lines_t4 AS t4, ai_confidence::float8 AS confidence, 1 AS sign
        FROM new_rows WHERE analysis_status = 'analyzed' AND ai_confidence IS NOT NULL
      ) changes
      GROUP BY org_id, repo_id, day, bin, detector_version
      ORDER BY org_id, repo_id, day, bin, detector_version
    ) net
    WHERE net.commits <> 0 OR (net.written_lines, net.t1, net.t2, net.t3, net.t4) <> (0, 0, 0, 0, 0) OR abs(net.confidence_sum) >= 1e-9;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM add_repo_share_bins(net.org_id, net.repo_id, net.day, net.bin, net.detector_version, net.commits, net.written_lines,
      net.t1, net.t2, net.t3, net.t4, net.confidence_sum, false)
    FROM (
      SELECT org_id, repo_id, day, bin, detector_version, sum(sign)::int AS commits, sum(sign * written_lines)::bigint AS written_lines,
        sum(sign * t1)::bigint AS t1, sum(sign * t2)::bigint AS t2, sum(sign * t3)::bigint AS t3, sum(sign * t4)::bigint AS t4,
        sum(sign * confidence) AS confidence_sum
      FROM (
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, least(floor(ai_confidence::float8 * 20), 19)::smallint AS bin,
          coalesce(detector_version, '') AS detector_version, written_lines, written_lines_t1 AS t1, written_lines_t2 AS t2,
          written_lines_t3 AS t3, written_lines_t4 AS t4, ai_confidence::float8 AS confidence, 1 AS sign
        FROM new_rows WHERE analysis_status = 'analyzed' AND ai_confidence IS NOT NULL
        UNION ALL
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, least(floor(ai_confidence::float8 * 20), 19)::smallint AS bin,
          coalesce(detector_version, '') AS detector_version, written_lines, written_lines_t1 AS t1, written_lines_t2 AS t2,
          written_lines_t3 AS t3, written_lines_t4 AS t4, ai_confidence::float8 AS confidence, -1 AS sign
        FROM old_rows WHERE analysis_status = 'analyzed' AND ai_confidence IS NOT NULL
      ) changes
      GROUP BY org_id, repo_id, day, bin, detector_version
      ORDER BY org_id, repo_id, day, bin, detector_version
    ) net
    WHERE net.commits <> 0 OR (net.written_lines, net.t1, net.t2, net.t3, net.t4) <> (0, 0, 0, 0, 0) OR abs(net.confidence_sum) >= 1e-9;
  ELSE
    PERFORM add_repo_share_bins(net.org_id, net.repo_id, net.day, net.bin, net.detector_version, net.commits, net.written_lines,
      net.t1, net.t2, net.t3, net.t4, net.confidence_sum, true)
    FROM (
      SELECT org_id, repo_id, day, bin, detector_version, sum(sign)::int AS commits, sum(sign * written_lines)::bigint AS written_lines,
        sum(sign * t1)::bigint AS t1, sum(sign * t2)::bigint AS t2, sum(sign * t3)::bigint AS t3, sum(sign * t4)::bigint AS t4,
        sum(sign * confidence) AS confidence_sum
      FROM (
        SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, least(floor(ai_confidence::float8 * 20), 19)::smallint AS bin,
          coalesce(detector_version, '') AS detector_version, written_lines, written_lines_t1 AS t1, written_lines_t2 AS t2,
          written_lines_t3 AS t3, written_lines_t4 AS t4, ai_confidence::float8 AS confidence, -1 AS sign
        FROM old_rows WHERE analysis_status = 'analyzed' AND ai_confidence IS NOT NULL
      ) changes
      GROUP BY org_id, repo_id, day, bin, detector_version
      ORDER BY org_id, repo_id, day, bin, detector_version
    ) net
    WHERE net.commits <> 0 OR (net.written_lines, net.t1, net.t2, net.t3, net.t4) <> (0, 0, 0, 0, 0) OR abs(net.confidence_sum) >= 1e-9;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Backfill from the commits already analysed (the triggers below hold their table's lock until the migration commits).
INSERT INTO repo_daily_share_bins (org_id, repo_id, day, bin, detector_version, commits, written_lines, written_lines_t1, written_lines_t2, written_lines_t3, written_lines_t4, confidence_sum)
SELECT org_id, repo_id, day, bin, detector_version, count(*)::int, sum(written_lines), sum(written_lines_t1), sum(written_lines_t2),
  sum(written_lines_t3), sum(written_lines_t4), sum(confidence)
FROM (
  SELECT org_id, repo_id, (authored_at AT TIME ZONE 'UTC')::date AS day, least(floor(ai_confidence::float8 * 20), 19)::smallint AS bin,
    coalesce(detector_version, '') AS detector_version, written_lines, written_lines_t1, written_lines_t2, written_lines_t3, written_lines_t4,
    ai_confidence::float8 AS confidence
  FROM commits WHERE analysis_status = 'analyzed' AND ai_confidence IS NOT NULL
) analysed
GROUP BY org_id, repo_id, day, bin, detector_version;
--> statement-breakpoint
INSERT INTO repo_weekly_share_bins (org_id, repo_id, week, bin, detector_version, commits, written_lines, written_lines_t1, written_lines_t2, written_lines_t3, written_lines_t4, confidence_sum)
SELECT org_id, repo_id, day - (extract(isodow FROM day)::int - 1), bin, detector_version, sum(commits)::int, sum(written_lines), sum(written_lines_t1),
  sum(written_lines_t2), sum(written_lines_t3), sum(written_lines_t4), sum(confidence_sum)
FROM repo_daily_share_bins
GROUP BY org_id, repo_id, day - (extract(isodow FROM day)::int - 1), bin, detector_version;
--> statement-breakpoint
CREATE TRIGGER commits_share_bins_insert AFTER INSERT ON commits
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_share_bins_from_commits();
--> statement-breakpoint
CREATE TRIGGER commits_share_bins_update AFTER UPDATE ON commits
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_share_bins_from_commits();
--> statement-breakpoint
CREATE TRIGGER commits_share_bins_delete AFTER DELETE ON commits
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION repo_share_bins_from_commits();
