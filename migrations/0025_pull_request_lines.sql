CREATE TABLE "pull_request_lines" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"pr_number" integer NOT NULL,
	"opened_at" timestamp with time zone,
	"written_lines" integer DEFAULT 0 NOT NULL,
	"ai_lines" integer DEFAULT 0 NOT NULL,
	"ai_files_t1" integer DEFAULT 0 NOT NULL,
	"ai_files_t2" integer DEFAULT 0 NOT NULL,
	"ai_files_t3" integer DEFAULT 0 NOT NULL,
	"ai_files_t4" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pull_request_lines" ADD CONSTRAINT "pull_request_lines_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pull_request_lines" ADD CONSTRAINT "pull_request_lines_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pull_request_lines_repo_pr_idx" ON "pull_request_lines" USING btree ("repo_id","pr_number","written_lines","ai_lines","ai_files_t1","ai_files_t2","ai_files_t3","ai_files_t4");--> statement-breakpoint
CREATE INDEX "pull_request_lines_org_opened_ai_idx" ON "pull_request_lines" USING btree ("org_id","opened_at","repo_id","pr_number","ai_lines") WHERE "ai_lines" <> 0;--> statement-breakpoint
CREATE INDEX "pull_requests_org_opened_covering_idx" ON "pull_requests" USING btree ("org_id","opened_at","repo_id","number","merged_at","first_review_at","ready_for_review_at");--> statement-breakpoint
CREATE INDEX "pull_requests_org_opened_marked_idx" ON "pull_requests" USING btree ("org_id","opened_at","repo_id","number") WHERE jsonb_array_length("pull_requests"."ai_markers") > 0;--> statement-breakpoint
ALTER TABLE "pull_request_lines" SET (fillfactor = 70);
--> statement-breakpoint
-- ADR 079: each pull request's written lines (its commits' `written_lines`), AI-written lines (its commits' counted
-- files' `written_lines` at AI confidence ≥ 0.5, domain/detection/threshold.ts) and AI-written files per risk tier
-- (any file at AI confidence ≥ 0.5, counted or not), so the pull-request lens never reads commits or code_attribution
-- for a range. Only the triggers below write it. A pull request may have several rows: readers sum them.
--
-- Lock order: a writer never waits on this table. It adds its net change to a row of the pull request that no other
-- open transaction holds (FOR UPDATE SKIP LOCKED, as 0010/0019/0023 do), or inserts a row of its own; a row left at
-- zero is deleted; a row is never recreated for a repository being deleted. So the verdict writer (commit rows, then
-- code_attribution, then these rows) and the webhook path (pull_requests, then commits, then these rows) cannot wait
-- on each other through it, and no trigger here ever locks a pull_requests or commits row.
--
-- `opened_at` is the pull request's (read, not locked, when the row is inserted; filled in when the pull request
-- arrives after its commits): the list finds a range's AI-written pull requests by it. A row whose pull request was
-- unknown (or being inserted concurrently) keeps it null; readers take the organisation's null rows along.
CREATE FUNCTION add_pull_request_lines(
  p_org_id uuid,
  p_repo_id uuid,
  p_pr_number integer,
  p_written_lines bigint,
  p_ai_lines bigint,
  p_t1 integer,
  p_t2 integer,
  p_t3 integer,
  p_t4 integer,
  p_deleting boolean
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  target tid;
  kept record;
BEGIN
  SELECT ctid INTO target FROM pull_request_lines
  WHERE repo_id = p_repo_id AND pr_number = p_pr_number
  LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE pull_request_lines SET
      written_lines = written_lines + p_written_lines,
      ai_lines = ai_lines + p_ai_lines,
      ai_files_t1 = ai_files_t1 + p_t1,
      ai_files_t2 = ai_files_t2 + p_t2,
      ai_files_t3 = ai_files_t3 + p_t3,
      ai_files_t4 = ai_files_t4 + p_t4
    WHERE ctid = target
    RETURNING ctid AS at, written_lines, ai_lines, ai_files_t1, ai_files_t2, ai_files_t3, ai_files_t4 INTO kept;
    IF (kept.written_lines, kept.ai_lines, kept.ai_files_t1, kept.ai_files_t2, kept.ai_files_t3, kept.ai_files_t4) = (0, 0, 0, 0, 0, 0) THEN
      DELETE FROM pull_request_lines WHERE ctid = kept.at;
    END IF;
  ELSIF NOT p_deleting OR EXISTS (SELECT 1 FROM repositories WHERE id = p_repo_id) THEN
    INSERT INTO pull_request_lines (org_id, repo_id, pr_number, opened_at, written_lines, ai_lines, ai_files_t1, ai_files_t2, ai_files_t3, ai_files_t4)
    VALUES (p_org_id, p_repo_id, p_pr_number,
      (SELECT opened_at FROM pull_requests WHERE repo_id = p_repo_id AND number = p_pr_number),
      p_written_lines, p_ai_lines, p_t1, p_t2, p_t3, p_t4);
  END IF;
END $$;
--> statement-breakpoint
-- A commit's AI-written part, from its attribution rows as they are now.
CREATE FUNCTION commit_pull_request_ai(p_repo_id uuid, p_sha text, OUT ai_lines bigint, OUT t1 integer, OUT t2 integer, OUT t3 integer, OUT t4 integer)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(written_lines) FILTER (WHERE counts_toward_share), 0)::bigint,
    count(*) FILTER (WHERE risk_tier = 1)::int, count(*) FILTER (WHERE risk_tier = 2)::int,
    count(*) FILTER (WHERE risk_tier = 3)::int, count(*) FILTER (WHERE risk_tier = 4)::int
  FROM code_attribution
  WHERE repo_id = p_repo_id AND commit_sha = p_sha AND ai_confidence >= 0.5
$$;
--> statement-breakpoint
-- A commit with a pull request counts its written lines there, and its attribution rows' AI part as they are at the
-- time: when the commit arrives, leaves (deleted) or moves to another pull request, that part moves with it. Any other
-- change of the commit (a verdict's written lines) changes only its written lines; the attribution trigger below moves
-- the AI part. The net change per pull request is written, in key order.
CREATE FUNCTION pull_request_lines_from_commits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each branch names only the transition tables its operation has.
  IF TG_OP = 'INSERT' THEN
    PERFORM add_pull_request_lines(net.org_id, net.repo_id, net.pr_number, net.written_lines, net.ai_lines, net.t1, net.t2, net.t3, net.t4, false)
    FROM (
      SELECT n.org_id, n.repo_id, n.pr_number, sum(n.written_lines)::bigint AS written_lines, sum(ai.ai_lines)::bigint AS ai_lines,
        sum(ai.t1)::int AS t1, sum(ai.t2)::int AS t2, sum(ai.t3)::int AS t3, sum(ai.t4)::int AS t4
      FROM new_rows n CROSS JOIN LATERAL commit_pull_request_ai(n.repo_id, n.sha) ai
      WHERE n.pr_number IS NOT NULL
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE (net.written_lines, net.ai_lines, net.t1, net.t2, net.t3, net.t4) <> (0, 0, 0, 0, 0, 0);
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM add_pull_request_lines(net.org_id, net.repo_id, net.pr_number, net.written_lines, net.ai_lines, net.t1, net.t2, net.t3, net.t4, false)
    FROM (
      SELECT changes.org_id, changes.repo_id, changes.pr_number, sum(changes.written_lines)::bigint AS written_lines,
        sum(changes.ai_lines)::bigint AS ai_lines, sum(changes.t1)::int AS t1, sum(changes.t2)::int AS t2,
        sum(changes.t3)::int AS t3, sum(changes.t4)::int AS t4
      FROM (
        SELECT org_id, repo_id, pr_number, written_lines::bigint, 0::bigint AS ai_lines, 0 AS t1, 0 AS t2, 0 AS t3, 0 AS t4
        FROM new_rows WHERE pr_number IS NOT NULL
        UNION ALL
        SELECT org_id, repo_id, pr_number, -written_lines::bigint, 0, 0, 0, 0, 0
        FROM old_rows WHERE pr_number IS NOT NULL
        UNION ALL
        -- Only a commit whose pull request changed moves its AI part.
        SELECT moved.org_id, moved.repo_id, moved.pr_number, 0, moved.sign * ai.ai_lines, moved.sign * ai.t1, moved.sign * ai.t2,
          moved.sign * ai.t3, moved.sign * ai.t4
        FROM (
          (SELECT org_id, repo_id, sha, pr_number, 1 AS sign FROM new_rows WHERE pr_number IS NOT NULL
           EXCEPT SELECT org_id, repo_id, sha, pr_number, 1 FROM old_rows WHERE pr_number IS NOT NULL)
          UNION ALL
          (SELECT org_id, repo_id, sha, pr_number, -1 AS sign FROM old_rows WHERE pr_number IS NOT NULL
           EXCEPT SELECT org_id, repo_id, sha, pr_number, -1 FROM new_rows WHERE pr_number IS NOT NULL)
        ) moved
        CROSS JOIN LATERAL commit_pull_request_ai(moved.repo_id, moved.sha) ai
      ) changes
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE (net.written_lines, net.ai_lines, net.t1, net.t2, net.t3, net.t4) <> (0, 0, 0, 0, 0, 0);
  ELSE
    PERFORM add_pull_request_lines(net.org_id, net.repo_id, net.pr_number, net.written_lines, net.ai_lines, net.t1, net.t2, net.t3, net.t4, true)
    FROM (
      SELECT o.org_id, o.repo_id, o.pr_number, -sum(o.written_lines)::bigint AS written_lines, -sum(ai.ai_lines)::bigint AS ai_lines,
        -sum(ai.t1)::int AS t1, -sum(ai.t2)::int AS t2, -sum(ai.t3)::int AS t3, -sum(ai.t4)::int AS t4
      FROM old_rows o CROSS JOIN LATERAL commit_pull_request_ai(o.repo_id, o.sha) ai
      WHERE o.pr_number IS NOT NULL
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE (net.written_lines, net.ai_lines, net.t1, net.t2, net.t3, net.t4) <> (0, 0, 0, 0, 0, 0);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- An attribution row at AI confidence ≥ 0.5 counts for the pull request its commit belongs to now (a commit without
-- one, or already deleted, counts nowhere: the commit trigger above takes the AI part along when that changes).
-- Statements that both move a commit to another pull request and change its attribution rows would count the change
-- twice; no writer does both (the verdict writer keeps pr_number, the webhook path writes no attribution).
CREATE FUNCTION pull_request_lines_from_attribution() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM add_pull_request_lines(net.org_id, net.repo_id, net.pr_number, 0, net.ai_lines, net.t1, net.t2, net.t3, net.t4, false)
    FROM (
      SELECT c.org_id, c.repo_id, c.pr_number, sum(f.ai_lines)::bigint AS ai_lines, sum(f.t1)::int AS t1, sum(f.t2)::int AS t2,
        sum(f.t3)::int AS t3, sum(f.t4)::int AS t4
      FROM (
        SELECT repo_id, commit_sha, CASE WHEN counts_toward_share THEN written_lines ELSE 0 END AS ai_lines,
          (risk_tier = 1)::int AS t1, (risk_tier = 2)::int AS t2, (risk_tier = 3)::int AS t3, (risk_tier = 4)::int AS t4
        FROM new_rows WHERE ai_confidence >= 0.5
      ) f
      JOIN commits c ON c.repo_id = f.repo_id AND c.sha = f.commit_sha AND c.pr_number IS NOT NULL
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE (net.ai_lines, net.t1, net.t2, net.t3, net.t4) <> (0, 0, 0, 0, 0);
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM add_pull_request_lines(net.org_id, net.repo_id, net.pr_number, 0, net.ai_lines, net.t1, net.t2, net.t3, net.t4, false)
    FROM (
      SELECT c.org_id, c.repo_id, c.pr_number, sum(f.ai_lines)::bigint AS ai_lines, sum(f.t1)::int AS t1, sum(f.t2)::int AS t2,
        sum(f.t3)::int AS t3, sum(f.t4)::int AS t4
      FROM (
        SELECT repo_id, commit_sha, CASE WHEN counts_toward_share THEN written_lines ELSE 0 END AS ai_lines,
          (risk_tier = 1)::int AS t1, (risk_tier = 2)::int AS t2, (risk_tier = 3)::int AS t3, (risk_tier = 4)::int AS t4
        FROM new_rows WHERE ai_confidence >= 0.5
        UNION ALL
        SELECT repo_id, commit_sha, -CASE WHEN counts_toward_share THEN written_lines ELSE 0 END,
          -(risk_tier = 1)::int, -(risk_tier = 2)::int, -(risk_tier = 3)::int, -(risk_tier = 4)::int
        FROM old_rows WHERE ai_confidence >= 0.5
      ) f
      JOIN commits c ON c.repo_id = f.repo_id AND c.sha = f.commit_sha AND c.pr_number IS NOT NULL
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE (net.ai_lines, net.t1, net.t2, net.t3, net.t4) <> (0, 0, 0, 0, 0);
  ELSE
    PERFORM add_pull_request_lines(net.org_id, net.repo_id, net.pr_number, 0, net.ai_lines, net.t1, net.t2, net.t3, net.t4, true)
    FROM (
      SELECT c.org_id, c.repo_id, c.pr_number, -sum(f.ai_lines)::bigint AS ai_lines, -sum(f.t1)::int AS t1, -sum(f.t2)::int AS t2,
        -sum(f.t3)::int AS t3, -sum(f.t4)::int AS t4
      FROM (
        SELECT repo_id, commit_sha, CASE WHEN counts_toward_share THEN written_lines ELSE 0 END AS ai_lines,
          (risk_tier = 1)::int AS t1, (risk_tier = 2)::int AS t2, (risk_tier = 3)::int AS t3, (risk_tier = 4)::int AS t4
        FROM old_rows WHERE ai_confidence >= 0.5
      ) f
      JOIN commits c ON c.repo_id = f.repo_id AND c.sha = f.commit_sha AND c.pr_number IS NOT NULL
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3
    ) net
    WHERE (net.ai_lines, net.t1, net.t2, net.t3, net.t4) <> (0, 0, 0, 0, 0);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A pull request that arrives after its commits gives their rows its opening time. A row another transaction holds
-- right now is skipped (never waited for) and stays null, which readers allow for. `opened_at` is a milestone the
-- webhook upsert never changes, so only an insert sets it.
CREATE FUNCTION pull_request_lines_opened() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE pull_request_lines l SET opened_at = waiting.opened_at
  FROM (
    SELECT w.ctid AS at, n.opened_at
    FROM new_rows n
    JOIN pull_request_lines w ON w.repo_id = n.repo_id AND w.pr_number = n.number AND w.opened_at IS NULL
    ORDER BY w.repo_id, w.pr_number
    FOR UPDATE OF w SKIP LOCKED
  ) waiting
  WHERE l.ctid = waiting.at;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- The triggers first: each takes its table's lock, held until the migration commits, so the backfill below reads
-- every commit and attribution row written before and none is written while it runs.
CREATE TRIGGER commits_pull_request_lines_insert AFTER INSERT ON commits
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_lines_from_commits();
--> statement-breakpoint
CREATE TRIGGER commits_pull_request_lines_update AFTER UPDATE ON commits
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_lines_from_commits();
--> statement-breakpoint
CREATE TRIGGER commits_pull_request_lines_delete AFTER DELETE ON commits
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_lines_from_commits();
--> statement-breakpoint
CREATE TRIGGER code_attribution_pull_request_lines_insert AFTER INSERT ON code_attribution
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_lines_from_attribution();
--> statement-breakpoint
CREATE TRIGGER code_attribution_pull_request_lines_update AFTER UPDATE ON code_attribution
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_lines_from_attribution();
--> statement-breakpoint
CREATE TRIGGER code_attribution_pull_request_lines_delete AFTER DELETE ON code_attribution
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_lines_from_attribution();
--> statement-breakpoint
CREATE TRIGGER pull_requests_pull_request_lines_insert AFTER INSERT ON pull_requests
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pull_request_lines_opened();
--> statement-breakpoint
-- Backfill: one row per pull request its commits name.
INSERT INTO pull_request_lines (org_id, repo_id, pr_number, opened_at, written_lines, ai_lines, ai_files_t1, ai_files_t2, ai_files_t3, ai_files_t4)
SELECT c.org_id, c.repo_id, c.pr_number, min(pr.opened_at), sum(c.written_lines), coalesce(sum(ai.ai_lines), 0),
  coalesce(sum(ai.t1), 0), coalesce(sum(ai.t2), 0), coalesce(sum(ai.t3), 0), coalesce(sum(ai.t4), 0)
FROM commits c
LEFT JOIN (
  SELECT repo_id, commit_sha, coalesce(sum(written_lines) FILTER (WHERE counts_toward_share), 0) AS ai_lines,
    count(*) FILTER (WHERE risk_tier = 1) AS t1, count(*) FILTER (WHERE risk_tier = 2) AS t2,
    count(*) FILTER (WHERE risk_tier = 3) AS t3, count(*) FILTER (WHERE risk_tier = 4) AS t4
  FROM code_attribution WHERE ai_confidence >= 0.5
  GROUP BY repo_id, commit_sha
) ai ON ai.repo_id = c.repo_id AND ai.commit_sha = c.sha
LEFT JOIN pull_requests pr ON pr.repo_id = c.repo_id AND pr.number = c.pr_number
WHERE c.pr_number IS NOT NULL
GROUP BY c.org_id, c.repo_id, c.pr_number
HAVING (sum(c.written_lines), coalesce(sum(ai.ai_lines), 0), coalesce(sum(ai.t1), 0), coalesce(sum(ai.t2), 0), coalesce(sum(ai.t3), 0), coalesce(sum(ai.t4), 0))
  <> (0, 0, 0, 0, 0, 0);
