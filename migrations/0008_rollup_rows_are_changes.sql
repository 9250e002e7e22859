ALTER TABLE "repo_daily_activity" DROP CONSTRAINT "repo_daily_activity_pkey";--> statement-breakpoint
ALTER TABLE "repo_daily_high_risk_files" DROP CONSTRAINT "repo_daily_high_risk_files_pkey";--> statement-breakpoint
CREATE INDEX "repo_daily_activity_repo_day_idx" ON "repo_daily_activity" USING btree ("repo_id","day");--> statement-breakpoint
CREATE INDEX "repo_daily_high_risk_files_repo_day_idx" ON "repo_daily_high_risk_files" USING btree ("repo_id","day","file_path");