-- The file page (issue 19, item 4) reads one file's commits in a range: without this index PostgreSQL would read every
-- attribution row of the repository in the range (code_attribution_repo_authored_idx) and drop the other files'.
CREATE INDEX "code_attribution_repo_file_authored_idx" ON "code_attribution" USING btree ("repo_id","file_path","authored_at" DESC NULLS FIRST);
