-- ADR 082: what each finished production deployment shipped, kept as rows instead of walked at read time, and the
-- organisation's day totals of them, so GET /api/v1/dora reads a few hundred small rows instead of every deployment's
-- commits. The facts are a function of deployments, commits, pull_requests, code_attribution and the repository's
-- default branch (application/metrics/dora.ts has the definition the facts follow); triggers on those tables
-- recompute the facts of the deployments a write can change, in the writer's transaction.
CREATE TABLE "deployment_facts" (
	"deployment_id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"successful" boolean NOT NULL,
	"shipped_commits" integer NOT NULL,
	"ai_high_risk" boolean NOT NULL,
	"lead_minutes" double precision[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "org_daily_deployments" (
	"org_id" uuid NOT NULL,
	"day" date NOT NULL,
	"ai_high_risk" boolean NOT NULL,
	"deployments" integer DEFAULT 0 NOT NULL,
	"successful" integer DEFAULT 0 NOT NULL,
	"shipping" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "org_daily_lead_times" (
	"org_id" uuid NOT NULL,
	"day" date NOT NULL,
	"bucket" smallint NOT NULL,
	"commits" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "org_weekly_lead_times" (
	"org_id" uuid NOT NULL,
	"week" date NOT NULL,
	"bucket" smallint NOT NULL,
	"commits" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deployment_facts" ADD CONSTRAINT "deployment_facts_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployment_facts" ADD CONSTRAINT "deployment_facts_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployment_facts" ADD CONSTRAINT "deployment_facts_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_daily_deployments" ADD CONSTRAINT "org_daily_deployments_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_daily_lead_times" ADD CONSTRAINT "org_daily_lead_times_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_weekly_lead_times" ADD CONSTRAINT "org_weekly_lead_times_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deployment_facts_repo_created_idx" ON "deployment_facts" USING btree ("repo_id","created_at");--> statement-breakpoint
CREATE INDEX "deployment_facts_org_created_idx" ON "deployment_facts" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "org_daily_deployments_org_day_idx" ON "org_daily_deployments" USING btree ("org_id","day","ai_high_risk","deployments","successful","shipping");--> statement-breakpoint
CREATE INDEX "org_daily_lead_times_org_day_idx" ON "org_daily_lead_times" USING btree ("org_id","day","bucket","commits");--> statement-breakpoint
ALTER TABLE "org_daily_deployments" SET (fillfactor = 70);
--> statement-breakpoint
ALTER TABLE "org_daily_lead_times" SET (fillfactor = 70);
--> statement-breakpoint
CREATE INDEX "org_weekly_lead_times_org_week_idx" ON "org_weekly_lead_times" USING btree ("org_id","week","bucket","commits");
--> statement-breakpoint
ALTER TABLE "org_weekly_lead_times" SET (fillfactor = 70);
--> statement-breakpoint
-- The lead-time histogram's bucket of a number of minutes: 0 below one minute, then buckets 10 % wide
-- ([1.1^(b-1), 1.1^b) minutes for bucket b). domain/metrics/dora.ts leadTimeBucket is the same rule.
CREATE FUNCTION lead_time_bucket(p_minutes double precision) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_minutes < 1 THEN 0 ELSE 1 + floor(ln(p_minutes) / ln(1.1)) END::smallint
$$;
--> statement-breakpoint
-- The facts of some deployments, from scratch: for each finished production deployment among p_ids, what it shipped
-- since the repository's previous successful production deployment (or, for a repository's first, the week before
-- it: ADR 060) — the default branch's commits that landed in between and the commits of the pull requests merged
-- into the default branch in between — how many, the minutes from each one's authoring to the deployment finishing
-- (its creation when it never said), and whether one of them put AI-written code (confidence ≥ 0.5,
-- domain/detection/threshold.ts) into a T3/T4 file. Deployments that are not finished production ones yield nothing.
-- The lead times are in a fixed order (newest commit first), so a recomputation that changes nothing writes nothing.
CREATE FUNCTION deployment_facts_of(p_ids uuid[])
RETURNS TABLE (deployment_id uuid, org_id uuid, repo_id uuid, created_at timestamptz, successful boolean, shipped_commits integer, ai_high_risk boolean, lead_minutes double precision[])
LANGUAGE sql STABLE AS $$
  SELECT d.id, d.org_id, d.repo_id, d.created_at, d.status IN ('success', 'inactive'), coalesce(shipped.commits, 0),
    coalesce(shipped.ai_high_risk, false), coalesce(shipped.lead_minutes, '{}')
  FROM deployments d
  JOIN repositories r ON r.id = d.repo_id
  CROSS JOIN LATERAL (
    SELECT coalesce((
      SELECT p.created_at FROM deployments p
      WHERE p.repo_id = d.repo_id AND p.is_production AND p.status IN ('success', 'inactive') AND p.created_at < d.created_at
      ORDER BY p.created_at DESC
      LIMIT 1
    ), d.created_at - interval '7 days') AS after
  ) since
  LEFT JOIN LATERAL (
    SELECT count(*)::int AS commits,
      bool_or(EXISTS (
        SELECT 1 FROM code_attribution ca
        WHERE ca.repo_id = c.repo_id AND ca.authored_at = c.authored_at AND ca.commit_sha = c.sha
          AND ca.risk_tier >= 3 AND ca.ai_confidence >= 0.5
      )) AS ai_high_risk,
      array_agg(greatest(0, extract(epoch FROM coalesce(d.finished_at, d.created_at) - c.authored_at)::float8 / 60) ORDER BY c.authored_at DESC, c.sha) AS lead_minutes
    FROM (
      SELECT c.repo_id, c.sha, c.authored_at FROM commits c
      WHERE c.repo_id = d.repo_id AND c.on_default_branch
        AND coalesce(c.committed_at, c.authored_at) > since.after
        AND coalesce(c.committed_at, c.authored_at) <= d.created_at
      UNION ALL
      SELECT c.repo_id, c.sha, c.authored_at FROM pull_requests pr
      JOIN commits c ON c.repo_id = pr.repo_id AND c.pr_number = pr.number AND NOT c.on_default_branch
      WHERE pr.repo_id = d.repo_id AND pr.base_ref = r.default_branch
        AND pr.merged_at > since.after
        AND pr.merged_at <= d.created_at
    ) c
  ) shipped ON true
  WHERE d.id = ANY (p_ids) AND d.is_production AND d.status IN ('success', 'inactive', 'failure', 'error')
$$;
--> statement-breakpoint
-- Recomputes the facts of the repository's production deployments that a change at the instants p_points can reach —
-- each instant's deployments up to and including the first successful one at or after it (a commit that landed at t
-- ships with every deployment from t to the next success) — and of the deployments p_ids. Writers of one repository
-- take turns (a transaction-scoped advisory lock), so the last one reads what the others committed: two writers
-- recomputing the same deployment from different snapshots cannot leave the older answer behind. A write later than
-- the repository's latest production deployment (every push and verdict of new work) returns before the lock.
CREATE FUNCTION refresh_deployment_facts(p_repo_id uuid, p_points timestamptz[], p_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  earliest timestamptz := (SELECT min(point) FROM unnest(p_points) AS point);
  affected uuid[];
BEGIN
  -- A repository being deleted takes its deployments and facts with it: nothing to recompute.
  IF NOT EXISTS (SELECT 1 FROM repositories WHERE id = p_repo_id) THEN
    RETURN;
  END IF;
  IF coalesce(cardinality(p_ids), 0) = 0
     AND NOT EXISTS (SELECT 1 FROM deployments WHERE repo_id = p_repo_id AND is_production AND created_at >= earliest)
     AND NOT EXISTS (SELECT 1 FROM deployment_facts WHERE repo_id = p_repo_id AND created_at >= earliest) THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(28, hashtext(p_repo_id::text));
  SELECT array_agg(DISTINCT id) INTO affected FROM (
    SELECT d.id
    FROM unnest(p_points) AS point(at)
    CROSS JOIN LATERAL (
      SELECT min(s.created_at) AS until FROM deployments s
      WHERE s.repo_id = p_repo_id AND s.is_production AND s.status IN ('success', 'inactive') AND s.created_at >= point.at
    ) next_success
    JOIN deployments d ON d.repo_id = p_repo_id AND d.is_production AND d.created_at >= point.at
      AND d.created_at <= coalesce(next_success.until, 'infinity')
    UNION ALL
    SELECT f.deployment_id FROM deployment_facts f
    WHERE f.repo_id = p_repo_id AND f.created_at >= earliest AND NOT EXISTS (SELECT 1 FROM deployments d WHERE d.id = f.deployment_id AND d.is_production)
    UNION ALL
    SELECT unnest(p_ids)
  ) ids;
  IF affected IS NULL THEN
    RETURN;
  END IF;
  WITH fresh AS (
    SELECT * FROM deployment_facts_of(affected)
  ), stale AS (
    DELETE FROM deployment_facts f
    WHERE f.deployment_id = ANY (affected) AND NOT EXISTS (SELECT 1 FROM fresh WHERE fresh.deployment_id = f.deployment_id)
  )
  INSERT INTO deployment_facts (deployment_id, org_id, repo_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes)
  SELECT * FROM fresh
  ON CONFLICT (deployment_id) DO UPDATE SET
    org_id = excluded.org_id,
    created_at = excluded.created_at,
    successful = excluded.successful,
    shipped_commits = excluded.shipped_commits,
    ai_high_risk = excluded.ai_high_risk,
    lead_minutes = excluded.lead_minutes
  WHERE (deployment_facts.org_id, deployment_facts.created_at, deployment_facts.successful, deployment_facts.shipped_commits,
         deployment_facts.ai_high_risk, deployment_facts.lead_minutes)
    IS DISTINCT FROM (excluded.org_id, excluded.created_at, excluded.successful, excluded.shipped_commits, excluded.ai_high_risk, excluded.lead_minutes);
END $$;
--> statement-breakpoint
-- A deployment created, finished, re-statused, moved or deleted changes its own facts and the window of the
-- deployments after it up to the next success.
CREATE FUNCTION deployment_facts_from_deployments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM refresh_deployment_facts(repo_id, array_agg(created_at), array_agg(id))
    FROM new_rows WHERE is_production GROUP BY repo_id ORDER BY repo_id;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM refresh_deployment_facts(changed.repo_id, array_agg(changed.at), array_agg(changed.id))
    FROM (
      SELECT n.repo_id, n.id, unnest(ARRAY[o.created_at, n.created_at]) AS at
      FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE (o.is_production OR n.is_production)
        AND (o.is_production, o.status, o.created_at, o.finished_at, o.repo_id) IS DISTINCT FROM (n.is_production, n.status, n.created_at, n.finished_at, n.repo_id)
    ) changed
    GROUP BY changed.repo_id ORDER BY changed.repo_id;
  ELSE
    PERFORM refresh_deployment_facts(repo_id, array_agg(created_at), '{}')
    FROM old_rows WHERE is_production GROUP BY repo_id ORDER BY repo_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- When a commit ships: on the default branch, when it landed; otherwise when its pull request merged into the default
-- branch (null when neither: it ships nowhere).
CREATE FUNCTION commit_shipping_points(p_repo_id uuid, p_on_default_branch boolean, p_landed timestamptz, p_pr_number integer)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p_on_default_branch THEN p_landed ELSE (
    SELECT pr.merged_at FROM pull_requests pr JOIN repositories r ON r.id = pr.repo_id
    WHERE pr.repo_id = p_repo_id AND pr.number = p_pr_number AND pr.base_ref = r.default_branch AND pr.merged_at IS NOT NULL
  ) END
$$;
--> statement-breakpoint
-- A commit added, removed, or whose landing, branch, pull request or author date changed (verdicts change none of
-- these: their updates cost one comparison).
CREATE FUNCTION deployment_facts_from_commits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM refresh_deployment_facts(points.repo_id, array_agg(points.at), '{}')
    FROM (
      SELECT repo_id, commit_shipping_points(repo_id, on_default_branch, coalesce(committed_at, authored_at), pr_number) AS at
      FROM new_rows WHERE on_default_branch OR pr_number IS NOT NULL
    ) points
    WHERE points.at IS NOT NULL
    GROUP BY points.repo_id ORDER BY points.repo_id;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM refresh_deployment_facts(points.repo_id, array_agg(points.at), '{}')
    FROM (
      SELECT n.repo_id, unnest(ARRAY[
        commit_shipping_points(o.repo_id, o.on_default_branch, coalesce(o.committed_at, o.authored_at), o.pr_number),
        commit_shipping_points(n.repo_id, n.on_default_branch, coalesce(n.committed_at, n.authored_at), n.pr_number)
      ]) AS at
      FROM new_rows n JOIN old_rows o ON o.repo_id = n.repo_id AND o.sha = n.sha
      WHERE (o.on_default_branch, o.committed_at, o.authored_at, o.pr_number) IS DISTINCT FROM (n.on_default_branch, n.committed_at, n.authored_at, n.pr_number)
    ) points
    WHERE points.at IS NOT NULL
    GROUP BY points.repo_id ORDER BY points.repo_id;
  ELSE
    PERFORM refresh_deployment_facts(points.repo_id, array_agg(points.at), '{}')
    FROM (
      SELECT repo_id, commit_shipping_points(repo_id, on_default_branch, coalesce(committed_at, authored_at), pr_number) AS at
      FROM old_rows WHERE on_default_branch OR pr_number IS NOT NULL
    ) points
    WHERE points.at IS NOT NULL
    GROUP BY points.repo_id ORDER BY points.repo_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A pull request merged, un-merged, re-based or removed moves its commits into or out of a deployment.
CREATE FUNCTION deployment_facts_from_pull_requests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM refresh_deployment_facts(repo_id, array_agg(merged_at), '{}')
    FROM new_rows WHERE merged_at IS NOT NULL GROUP BY repo_id ORDER BY repo_id;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM refresh_deployment_facts(points.repo_id, array_agg(points.at), '{}')
    FROM (
      SELECT n.repo_id, unnest(ARRAY[o.merged_at, n.merged_at]) AS at
      FROM new_rows n JOIN old_rows o ON o.repo_id = n.repo_id AND o.number = n.number
      WHERE (o.merged_at, o.base_ref) IS DISTINCT FROM (n.merged_at, n.base_ref)
    ) points
    WHERE points.at IS NOT NULL
    GROUP BY points.repo_id ORDER BY points.repo_id;
  ELSE
    PERFORM refresh_deployment_facts(repo_id, array_agg(merged_at), '{}')
    FROM old_rows WHERE merged_at IS NOT NULL GROUP BY repo_id ORDER BY repo_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A verdict, re-score or re-tiering that makes a file AI-written T3/T4 code, or stops it being so, can flip the flag of
-- the deployments that shipped its commit. Rows that were and stay below it (most) cost nothing.
CREATE FUNCTION deployment_facts_from_attribution() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM refresh_deployment_facts(points.repo_id, array_agg(points.at), '{}')
    FROM (
      SELECT c.repo_id, commit_shipping_points(c.repo_id, c.on_default_branch, coalesce(c.committed_at, c.authored_at), c.pr_number) AS at
      FROM (SELECT DISTINCT repo_id, commit_sha FROM new_rows WHERE risk_tier >= 3 AND ai_confidence >= 0.5) changed
      JOIN commits c ON c.repo_id = changed.repo_id AND c.sha = changed.commit_sha
    ) points
    WHERE points.at IS NOT NULL
    GROUP BY points.repo_id ORDER BY points.repo_id;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM refresh_deployment_facts(points.repo_id, array_agg(points.at), '{}')
    FROM (
      SELECT c.repo_id, commit_shipping_points(c.repo_id, c.on_default_branch, coalesce(c.committed_at, c.authored_at), c.pr_number) AS at
      FROM (
        SELECT DISTINCT n.repo_id, n.commit_sha FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (o.risk_tier >= 3 AND o.ai_confidence >= 0.5) IS DISTINCT FROM (n.risk_tier >= 3 AND n.ai_confidence >= 0.5)
          OR ((n.risk_tier >= 3 AND n.ai_confidence >= 0.5) AND (o.authored_at, o.commit_sha) IS DISTINCT FROM (n.authored_at, n.commit_sha))
      ) changed
      JOIN commits c ON c.repo_id = changed.repo_id AND c.sha = changed.commit_sha
    ) points
    WHERE points.at IS NOT NULL
    GROUP BY points.repo_id ORDER BY points.repo_id;
  ELSE
    PERFORM refresh_deployment_facts(points.repo_id, array_agg(points.at), '{}')
    FROM (
      SELECT c.repo_id, commit_shipping_points(c.repo_id, c.on_default_branch, coalesce(c.committed_at, c.authored_at), c.pr_number) AS at
      FROM (SELECT DISTINCT repo_id, commit_sha FROM old_rows WHERE risk_tier >= 3 AND ai_confidence >= 0.5) changed
      JOIN commits c ON c.repo_id = changed.repo_id AND c.sha = changed.commit_sha
    ) points
    WHERE points.at IS NOT NULL
    GROUP BY points.repo_id ORDER BY points.repo_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A new default branch changes which pull requests shipped: every deployment of the repository is recomputed.
CREATE FUNCTION deployment_facts_from_default_branch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_deployment_facts(NEW.id, ARRAY['-infinity'::timestamptz], '{}');
  RETURN NULL;
END $$;
--> statement-breakpoint
-- The writers' triggers come before the backfill: creating them locks the five tables against writes until this
-- migration commits, so no write can land between the backfill's snapshot and the first trigger that would see it.
CREATE TRIGGER deployments_facts_insert AFTER INSERT ON deployments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deployment_facts_from_deployments();
--> statement-breakpoint
CREATE TRIGGER deployments_facts_update AFTER UPDATE ON deployments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deployment_facts_from_deployments();
--> statement-breakpoint
CREATE TRIGGER deployments_facts_delete AFTER DELETE ON deployments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION deployment_facts_from_deployments();
--> statement-breakpoint
CREATE TRIGGER commits_deployment_facts_insert AFTER INSERT ON commits
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deployment_facts_from_commits();
--> statement-breakpoint
CREATE TRIGGER commits_deployment_facts_update AFTER UPDATE ON commits
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deployment_facts_from_commits();
--> statement-breakpoint
CREATE TRIGGER commits_deployment_facts_delete AFTER DELETE ON commits
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION deployment_facts_from_commits();
--> statement-breakpoint
CREATE TRIGGER pull_requests_deployment_facts_insert AFTER INSERT ON pull_requests
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deployment_facts_from_pull_requests();
--> statement-breakpoint
CREATE TRIGGER pull_requests_deployment_facts_update AFTER UPDATE ON pull_requests
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deployment_facts_from_pull_requests();
--> statement-breakpoint
CREATE TRIGGER pull_requests_deployment_facts_delete AFTER DELETE ON pull_requests
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION deployment_facts_from_pull_requests();
--> statement-breakpoint
CREATE TRIGGER code_attribution_deployment_facts_insert AFTER INSERT ON code_attribution
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deployment_facts_from_attribution();
--> statement-breakpoint
CREATE TRIGGER code_attribution_deployment_facts_update AFTER UPDATE ON code_attribution
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deployment_facts_from_attribution();
--> statement-breakpoint
CREATE TRIGGER code_attribution_deployment_facts_delete AFTER DELETE ON code_attribution
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION deployment_facts_from_attribution();
--> statement-breakpoint
CREATE TRIGGER repositories_deployment_facts_default_branch AFTER UPDATE OF default_branch ON repositories
  FOR EACH ROW WHEN (OLD.default_branch IS DISTINCT FROM NEW.default_branch) EXECUTE FUNCTION deployment_facts_from_default_branch();
--> statement-breakpoint
-- Backfill: every finished production deployment's facts, one repository at a time.
INSERT INTO deployment_facts (deployment_id, org_id, repo_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes)
SELECT f.*
FROM repositories r
CROSS JOIN LATERAL deployment_facts_of(ARRAY(
  SELECT d.id FROM deployments d WHERE d.repo_id = r.id AND d.is_production AND d.status IN ('success', 'inactive', 'failure', 'error')
)) f;
--> statement-breakpoint
-- The organisation's day totals (UTC days of the deployments' creation), over all its repositories: the reader takes
-- away a disabled repository's deployments from deployment_facts. Same scheme as add_repo_share_bins (0019): add the
-- net change to a row of the key no other open transaction holds, or insert one; delete a row that falls to zero; add
-- nothing for an organisation being deleted.
CREATE FUNCTION add_org_daily_deployments(p_org_id uuid, p_day date, p_ai_high_risk boolean, p_deployments integer, p_successful integer, p_shipping integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  target tid;
  kept record;
BEGIN
  SELECT ctid INTO target FROM org_daily_deployments
  WHERE org_id = p_org_id AND day = p_day AND ai_high_risk = p_ai_high_risk
  LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE org_daily_deployments SET deployments = deployments + p_deployments, successful = successful + p_successful, shipping = shipping + p_shipping
    WHERE ctid = target
    RETURNING ctid AS at, deployments, successful, shipping INTO kept;
    IF (kept.deployments, kept.successful, kept.shipping) = (0, 0, 0) THEN
      DELETE FROM org_daily_deployments WHERE ctid = kept.at;
    END IF;
  ELSIF EXISTS (SELECT 1 FROM organizations WHERE id = p_org_id) THEN
    INSERT INTO org_daily_deployments (org_id, day, ai_high_risk, deployments, successful, shipping)
    VALUES (p_org_id, p_day, p_ai_high_risk, p_deployments, p_successful, p_shipping);
  END IF;
END $$;
--> statement-breakpoint
CREATE FUNCTION add_org_daily_lead_times(p_org_id uuid, p_day date, p_bucket smallint, p_commits integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  target tid;
  kept record;
BEGIN
  SELECT ctid INTO target FROM org_daily_lead_times
  WHERE org_id = p_org_id AND day = p_day AND bucket = p_bucket
  LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE org_daily_lead_times SET commits = commits + p_commits
    WHERE ctid = target
    RETURNING ctid AS at, commits INTO kept;
    IF kept.commits = 0 THEN
      DELETE FROM org_daily_lead_times WHERE ctid = kept.at;
    END IF;
  ELSIF EXISTS (SELECT 1 FROM organizations WHERE id = p_org_id) THEN
    INSERT INTO org_daily_lead_times (org_id, day, bucket, commits) VALUES (p_org_id, p_day, p_bucket, p_commits);
  END IF;
END $$;
--> statement-breakpoint
-- The same per ISO week (UTC, from Monday): a year is 52 rows per bucket instead of 365.
CREATE FUNCTION add_org_weekly_lead_times(p_org_id uuid, p_week date, p_bucket smallint, p_commits integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  target tid;
  kept record;
BEGIN
  SELECT ctid INTO target FROM org_weekly_lead_times
  WHERE org_id = p_org_id AND week = p_week AND bucket = p_bucket
  LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE org_weekly_lead_times SET commits = commits + p_commits
    WHERE ctid = target
    RETURNING ctid AS at, commits INTO kept;
    IF kept.commits = 0 THEN
      DELETE FROM org_weekly_lead_times WHERE ctid = kept.at;
    END IF;
  ELSIF EXISTS (SELECT 1 FROM organizations WHERE id = p_org_id) THEN
    INSERT INTO org_weekly_lead_times (org_id, week, bucket, commits) VALUES (p_org_id, p_week, p_bucket, p_commits);
  END IF;
END $$;
--> statement-breakpoint
-- A fact row counts once under (its organisation, creation day, AI flag), and each lead time of a successful
-- deployment once under (organisation, day, bucket) and (organisation, week, bucket): the net change per key is written.
CREATE FUNCTION org_daily_deployments_from_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each branch names only the transition tables its operation has.
  IF TG_OP = 'INSERT' THEN
    PERFORM add_org_daily_deployments(net.org_id, net.day, net.ai_high_risk, net.deployments, net.successful, net.shipping)
    FROM (
      SELECT org_id, (created_at AT TIME ZONE 'UTC')::date AS day, ai_high_risk, sum(sign)::int AS deployments,
        coalesce(sum(sign) FILTER (WHERE successful), 0)::int AS successful,
        coalesce(sum(sign) FILTER (WHERE successful AND shipped_commits > 0), 0)::int AS shipping
      FROM (SELECT org_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes, 1 AS sign FROM new_rows) changes
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE (net.deployments, net.successful, net.shipping) <> (0, 0, 0);
    PERFORM add_org_daily_lead_times(net.org_id, net.day, net.bucket, net.commits)
    FROM (
      SELECT org_id, (created_at AT TIME ZONE 'UTC')::date AS day, lead_time_bucket(minutes) AS bucket, sum(sign)::int AS commits
      FROM (SELECT org_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes, 1 AS sign FROM new_rows) changes CROSS JOIN unnest(lead_minutes) AS minutes
      WHERE successful
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE net.commits <> 0;
    PERFORM add_org_weekly_lead_times(net.org_id, net.week, net.bucket, net.commits)
    FROM (
      SELECT org_id, date_trunc('week', created_at AT TIME ZONE 'UTC')::date AS week, lead_time_bucket(minutes) AS bucket, sum(sign)::int AS commits
      FROM (SELECT org_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes, 1 AS sign FROM new_rows) changes CROSS JOIN unnest(lead_minutes) AS minutes
      WHERE successful
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE net.commits <> 0;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM add_org_daily_deployments(net.org_id, net.day, net.ai_high_risk, net.deployments, net.successful, net.shipping)
    FROM (
      SELECT org_id, (created_at AT TIME ZONE 'UTC')::date AS day, ai_high_risk, sum(sign)::int AS deployments,
        coalesce(sum(sign) FILTER (WHERE successful), 0)::int AS successful,
        coalesce(sum(sign) FILTER (WHERE successful AND shipped_commits > 0), 0)::int AS shipping
      FROM (SELECT org_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes, 1 AS sign FROM new_rows UNION ALL SELECT org_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes, -1 AS sign FROM old_rows) changes
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE (net.deployments, net.successful, net.shipping) <> (0, 0, 0);
    PERFORM add_org_daily_lead_times(net.org_id, net.day, net.bucket, net.commits)
    FROM (
      SELECT org_id, (created_at AT TIME ZONE 'UTC')::date AS day, lead_time_bucket(minutes) AS bucket, sum(sign)::int AS commits
      FROM (SELECT org_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes, 1 AS sign FROM new_rows UNION ALL SELECT org_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes, -1 AS sign FROM old_rows) changes CROSS JOIN unnest(lead_minutes) AS minutes
      WHERE successful
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE net.commits <> 0;
    PERFORM add_org_weekly_lead_times(net.org_id, net.week, net.bucket, net.commits)
    FROM (
      SELECT org_id, date_trunc('week', created_at AT TIME ZONE 'UTC')::date AS week, lead_time_bucket(minutes) AS bucket, sum(sign)::int AS commits
      FROM (SELECT org_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes, 1 AS sign FROM new_rows UNION ALL SELECT org_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes, -1 AS sign FROM old_rows) changes CROSS JOIN unnest(lead_minutes) AS minutes
      WHERE successful
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE net.commits <> 0;
  ELSE
    PERFORM add_org_daily_deployments(net.org_id, net.day, net.ai_high_risk, net.deployments, net.successful, net.shipping)
    FROM (
      SELECT org_id, (created_at AT TIME ZONE 'UTC')::date AS day, ai_high_risk, sum(sign)::int AS deployments,
        coalesce(sum(sign) FILTER (WHERE successful), 0)::int AS successful,
        coalesce(sum(sign) FILTER (WHERE successful AND shipped_commits > 0), 0)::int AS shipping
      FROM (SELECT org_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes, -1 AS sign FROM old_rows) changes
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE (net.deployments, net.successful, net.shipping) <> (0, 0, 0);
    PERFORM add_org_daily_lead_times(net.org_id, net.day, net.bucket, net.commits)
    FROM (
      SELECT org_id, (created_at AT TIME ZONE 'UTC')::date AS day, lead_time_bucket(minutes) AS bucket, sum(sign)::int AS commits
      FROM (SELECT org_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes, -1 AS sign FROM old_rows) changes CROSS JOIN unnest(lead_minutes) AS minutes
      WHERE successful
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE net.commits <> 0;
    PERFORM add_org_weekly_lead_times(net.org_id, net.week, net.bucket, net.commits)
    FROM (
      SELECT org_id, date_trunc('week', created_at AT TIME ZONE 'UTC')::date AS week, lead_time_bucket(minutes) AS bucket, sum(sign)::int AS commits
      FROM (SELECT org_id, created_at, successful, shipped_commits, ai_high_risk, lead_minutes, -1 AS sign FROM old_rows) changes CROSS JOIN unnest(lead_minutes) AS minutes
      WHERE successful
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE net.commits <> 0;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
INSERT INTO org_daily_deployments (org_id, day, ai_high_risk, deployments, successful, shipping)
SELECT org_id, (created_at AT TIME ZONE 'UTC')::date, ai_high_risk, count(*)::int, count(*) FILTER (WHERE successful)::int,
  count(*) FILTER (WHERE successful AND shipped_commits > 0)::int
FROM deployment_facts
GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO org_daily_lead_times (org_id, day, bucket, commits)
SELECT org_id, (created_at AT TIME ZONE 'UTC')::date, lead_time_bucket(minutes), count(*)::int
FROM deployment_facts CROSS JOIN unnest(lead_minutes) AS minutes
WHERE successful
GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO org_weekly_lead_times (org_id, week, bucket, commits)
SELECT org_id, date_trunc('week', day)::date, bucket, sum(commits)::int
FROM org_daily_lead_times
GROUP BY 1, 2, 3;
--> statement-breakpoint
CREATE TRIGGER deployment_facts_rollup_insert AFTER INSERT ON deployment_facts
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_daily_deployments_from_facts();
--> statement-breakpoint
CREATE TRIGGER deployment_facts_rollup_update AFTER UPDATE ON deployment_facts
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_daily_deployments_from_facts();
--> statement-breakpoint
CREATE TRIGGER deployment_facts_rollup_delete AFTER DELETE ON deployment_facts
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION org_daily_deployments_from_facts();
