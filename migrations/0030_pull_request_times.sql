-- ADR 084 — the pull-request lens' AI-assisted vs human comparison over a large range, from per-day histograms.
--
-- Each pull request's place in the comparison (`pull_request_time_facts`: its UTC opening day, AI-assisted or not,
-- merged, reviewed, and the 10 % buckets of its cycle time and time to first review), and per day and side the counts
-- and bucket histograms of the organisation (`org_daily_pull_request_times`) and of each repository
-- (`repo_daily_pull_request_times`). A pull request's side depends on the sum of its `pull_request_lines` rows, which
-- writers change without waiting on each other (ADR 079), so no trigger can tell safely when it flips. The triggers
-- below therefore only note which pull requests may have changed (`pull_request_time_queue`, insert-only: a writer
-- never waits on it), and one folder per organisation at a time (application/pull-requests/pull-request-times.ts,
-- under an advisory lock, every minute) recomputes their facts from committed rows and those days' histograms from
-- the facts. Readers add the pull requests still queued (their stored facts out, their current ones in), so a read
-- never misses a write the folder has not reached.
CREATE TABLE "pull_request_time_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"pr_number" integer NOT NULL
);
--> statement-breakpoint
-- No foreign keys on the queue: the triggers write it while an organisation or repository is being deleted (its pull
-- requests' delete cascades), and an entry for a deleted one folds to nothing.
CREATE INDEX "pull_request_time_queue_org_idx" ON "pull_request_time_queue" USING btree ("org_id","repo_id","pr_number");
--> statement-breakpoint
CREATE TABLE "pull_request_time_facts" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"pr_number" integer NOT NULL,
	"day" date NOT NULL,
	"ai_assisted" boolean NOT NULL,
	"merged" boolean NOT NULL,
	"reviewed" boolean NOT NULL,
	"cycle_bucket" smallint,
	"review_bucket" smallint,
	CONSTRAINT "pull_request_time_facts_pkey" PRIMARY KEY("repo_id","pr_number")
);
--> statement-breakpoint
-- Facts keep no foreign key to their repository: when a repository is deleted its facts must still be there for the
-- folder to take out of the organisation's days.
ALTER TABLE "pull_request_time_facts" ADD CONSTRAINT "pull_request_time_facts_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "pull_request_time_facts_org_day_idx" ON "pull_request_time_facts" USING btree ("org_id","day","ai_assisted");
--> statement-breakpoint
CREATE INDEX "pull_request_time_facts_repo_day_idx" ON "pull_request_time_facts" USING btree ("repo_id","day","ai_assisted");
--> statement-breakpoint
CREATE TABLE "org_daily_pull_request_times" (
	"org_id" uuid NOT NULL,
	"day" date NOT NULL,
	"ai_assisted" boolean NOT NULL,
	"pull_requests" integer NOT NULL,
	"merged" integer NOT NULL,
	"reviewed" integer NOT NULL,
	"merged_without_review" integer NOT NULL,
	"cycle_buckets" integer[] NOT NULL,
	"review_buckets" integer[] NOT NULL,
	CONSTRAINT "org_daily_pull_request_times_pkey" PRIMARY KEY("org_id","day","ai_assisted")
);
--> statement-breakpoint
ALTER TABLE "org_daily_pull_request_times" ADD CONSTRAINT "org_daily_pull_request_times_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE TABLE "repo_daily_pull_request_times" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"day" date NOT NULL,
	"ai_assisted" boolean NOT NULL,
	"pull_requests" integer NOT NULL,
	"merged" integer NOT NULL,
	"reviewed" integer NOT NULL,
	"merged_without_review" integer NOT NULL,
	"cycle_buckets" integer[] NOT NULL,
	"review_buckets" integer[] NOT NULL,
	CONSTRAINT "repo_daily_pull_request_times_pkey" PRIMARY KEY("repo_id","day","ai_assisted")
);
--> statement-breakpoint
ALTER TABLE "repo_daily_pull_request_times" ADD CONSTRAINT "repo_daily_pull_request_times_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- A histogram of buckets as counts: element b + 1 counts bucket b (lead_time_bucket's 10 % buckets, migration 0028),
-- up to the highest bucket present; nulls (not merged, not reviewed) are not counted.
CREATE FUNCTION bucket_counts(p_buckets smallint[]) RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(coalesce(c.n, 0) ORDER BY b.b), '{}')
  FROM generate_series(0, (SELECT max(x) FROM unnest(p_buckets) x)) b(b)
  LEFT JOIN (SELECT x, count(*)::int AS n FROM unnest(p_buckets) x WHERE x IS NOT NULL GROUP BY x) c ON c.x = b.b
$$;
--> statement-breakpoint
-- A pull request's place in the comparison: its UTC opening day; AI-assisted when an agent marked it or its AI-written
-- lines (the sum of its pull_request_lines rows) are positive; merged, reviewed; and the buckets of its cycle time
-- (opened → merged) and of its wait for a first review (ready for review, or opened, → first review; never negative).
CREATE FUNCTION pull_request_time_fact(
  p_opened_at timestamptz, p_ready_for_review_at timestamptz, p_first_review_at timestamptz, p_merged_at timestamptz,
  p_ai_markers jsonb, p_ai_lines bigint
) RETURNS TABLE (day date, ai_assisted boolean, merged boolean, reviewed boolean, cycle_bucket smallint, review_bucket smallint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (p_opened_at AT TIME ZONE 'UTC')::date,
    jsonb_array_length(p_ai_markers) > 0 OR coalesce(p_ai_lines, 0) > 0,
    p_merged_at IS NOT NULL, p_first_review_at IS NOT NULL,
    CASE WHEN p_merged_at IS NOT NULL THEN lead_time_bucket(date_part('epoch', p_merged_at - p_opened_at) / 60) END,
    CASE WHEN p_first_review_at IS NOT NULL
      THEN lead_time_bucket(date_part('epoch', greatest(p_first_review_at - coalesce(p_ready_for_review_at, p_opened_at), interval '0')) / 60) END
$$;
--> statement-breakpoint
-- The pull requests a statement may have moved in the comparison: opened, deleted, or changed in what the facts read
-- (opening, merge, first review, ready for review, agent markers).
CREATE FUNCTION pull_request_times_from_pull_requests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO pull_request_time_queue (org_id, repo_id, pr_number) SELECT org_id, repo_id, number FROM new_rows ORDER BY repo_id, number;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO pull_request_time_queue (org_id, repo_id, pr_number) SELECT org_id, repo_id, number FROM old_rows ORDER BY repo_id, number;
  ELSE
    -- Rows whose read columns changed, on either side (a changed key shows as an old and a new row).
    INSERT INTO pull_request_time_queue (org_id, repo_id, pr_number)
    SELECT DISTINCT org_id, repo_id, number FROM (
      (SELECT org_id, repo_id, number, opened_at, merged_at, first_review_at, ready_for_review_at, ai_markers FROM new_rows
       EXCEPT SELECT org_id, repo_id, number, opened_at, merged_at, first_review_at, ready_for_review_at, ai_markers FROM old_rows)
      UNION ALL
      (SELECT org_id, repo_id, number, opened_at, merged_at, first_review_at, ready_for_review_at, ai_markers FROM old_rows
       EXCEPT SELECT org_id, repo_id, number, opened_at, merged_at, first_review_at, ready_for_review_at, ai_markers FROM new_rows)
    ) changed
    ORDER BY repo_id, number;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- The pull requests whose AI-written lines a statement changed (only the sum's sign matters, and only the folder can
-- read the sum safely).
CREATE FUNCTION pull_request_times_from_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO pull_request_time_queue (org_id, repo_id, pr_number)
    SELECT DISTINCT org_id, repo_id, pr_number FROM new_rows WHERE ai_lines <> 0 ORDER BY repo_id, pr_number;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO pull_request_time_queue (org_id, repo_id, pr_number)
    SELECT DISTINCT org_id, repo_id, pr_number FROM old_rows WHERE ai_lines <> 0 ORDER BY repo_id, pr_number;
  ELSE
    INSERT INTO pull_request_time_queue (org_id, repo_id, pr_number)
    SELECT org_id, repo_id, pr_number FROM (
      SELECT org_id, repo_id, pr_number, ai_lines FROM new_rows
      UNION ALL SELECT org_id, repo_id, pr_number, -ai_lines FROM old_rows
    ) changed
    GROUP BY org_id, repo_id, pr_number HAVING sum(ai_lines) <> 0
    ORDER BY repo_id, pr_number;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER pull_requests_times_insert AFTER INSERT ON pull_requests
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_times_from_pull_requests();
--> statement-breakpoint
CREATE TRIGGER pull_requests_times_update AFTER UPDATE ON pull_requests
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_times_from_pull_requests();
--> statement-breakpoint
CREATE TRIGGER pull_requests_times_delete AFTER DELETE ON pull_requests
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_times_from_pull_requests();
--> statement-breakpoint
CREATE TRIGGER pull_request_lines_times_insert AFTER INSERT ON pull_request_lines
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_times_from_lines();
--> statement-breakpoint
CREATE TRIGGER pull_request_lines_times_update AFTER UPDATE ON pull_request_lines
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_times_from_lines();
--> statement-breakpoint
CREATE TRIGGER pull_request_lines_times_delete AFTER DELETE ON pull_request_lines
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_times_from_lines();
--> statement-breakpoint
-- Two histograms' counts added (p_sign 1) or the second taken from the first (-1), without trailing zeros.
CREATE FUNCTION combine_bucket_counts(p_a integer[], p_b integer[], p_sign integer) RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(n ORDER BY i) FILTER (WHERE i <= last), '{}')
  FROM (
    SELECT i, n, max(i) FILTER (WHERE n <> 0) OVER () AS last
    FROM (SELECT i, coalesce(x, 0) + p_sign * coalesce(y, 0) AS n FROM unnest(p_a, p_b) WITH ORDINALITY AS t(x, y, i)) summed
  ) trimmed
$$;
--> statement-breakpoint
-- An organisation's facts and histograms from scratch, its queue emptied: for the backfill below and for bulk loads
-- (bench/generate.ts) that wrote its pull requests with nothing else writing.
CREATE FUNCTION rebuild_pull_request_times(p_org_id uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM pull_request_time_queue WHERE org_id = p_org_id;
  DELETE FROM pull_request_time_facts WHERE org_id = p_org_id;
  DELETE FROM org_daily_pull_request_times WHERE org_id = p_org_id;
  DELETE FROM repo_daily_pull_request_times WHERE org_id = p_org_id;
  INSERT INTO pull_request_time_facts (org_id, repo_id, pr_number, day, ai_assisted, merged, reviewed, cycle_bucket, review_bucket)
  SELECT pr.org_id, pr.repo_id, pr.number, f.*
  FROM pull_requests pr
  LEFT JOIN (
    SELECT repo_id, pr_number, sum(ai_lines) AS ai_lines FROM pull_request_lines WHERE org_id = p_org_id GROUP BY repo_id, pr_number
  ) lines ON lines.repo_id = pr.repo_id AND lines.pr_number = pr.number
  CROSS JOIN LATERAL pull_request_time_fact(pr.opened_at, pr.ready_for_review_at, pr.first_review_at, pr.merged_at, pr.ai_markers, lines.ai_lines) f
  WHERE pr.org_id = p_org_id;
  INSERT INTO org_daily_pull_request_times (org_id, day, ai_assisted, pull_requests, merged, reviewed, merged_without_review, cycle_buckets, review_buckets)
  SELECT org_id, day, ai_assisted, count(*), count(*) FILTER (WHERE merged), count(*) FILTER (WHERE reviewed),
    count(*) FILTER (WHERE merged AND NOT reviewed), bucket_counts(array_agg(cycle_bucket)), bucket_counts(array_agg(review_bucket))
  FROM pull_request_time_facts WHERE org_id = p_org_id GROUP BY org_id, day, ai_assisted;
  INSERT INTO repo_daily_pull_request_times (org_id, repo_id, day, ai_assisted, pull_requests, merged, reviewed, merged_without_review, cycle_buckets, review_buckets)
  SELECT org_id, repo_id, day, ai_assisted, count(*), count(*) FILTER (WHERE merged), count(*) FILTER (WHERE reviewed),
    count(*) FILTER (WHERE merged AND NOT reviewed), bucket_counts(array_agg(cycle_bucket)), bucket_counts(array_agg(review_bucket))
  FROM pull_request_time_facts WHERE org_id = p_org_id GROUP BY org_id, repo_id, day, ai_assisted;
END $$;
--> statement-breakpoint
-- Backfill, after the triggers exist (each CREATE TRIGGER holds its table's lock until the migration commits, so
-- nothing is written meanwhile).
SELECT rebuild_pull_request_times(id) FROM organizations;
