DROP INDEX "repo_daily_high_risk_files_repo_day_idx";--> statement-breakpoint
DROP INDEX "repo_daily_high_risk_files_org_day_idx";--> statement-breakpoint
CREATE INDEX "repo_daily_high_risk_files_org_repo_day_idx" ON "repo_daily_high_risk_files" USING btree ("org_id","repo_id","day","file_path","changes");