DROP INDEX "code_events_repo_timestamp_idx";--> statement-breakpoint
DROP INDEX "code_events_org_timestamp_idx";--> statement-breakpoint
CREATE INDEX "code_events_org_id_idx" ON "code_events" USING btree ("org_id","id");--> statement-breakpoint
CREATE INDEX "code_events_repo_id_idx" ON "code_events" USING btree ("repo_id","id");--> statement-breakpoint
CREATE INDEX "code_events_org_type_id_idx" ON "code_events" USING btree ("org_id","type","id");--> statement-breakpoint
CREATE INDEX "code_events_repo_type_id_idx" ON "code_events" USING btree ("repo_id","type","id");--> statement-breakpoint
CREATE INDEX "commits_org_ai_confidence_idx" ON "commits" USING btree ("org_id","ai_confidence");--> statement-breakpoint
CREATE INDEX "commits_repo_landed_idx" ON "commits" USING btree ("repo_id",coalesce("committed_at", "authored_at"));