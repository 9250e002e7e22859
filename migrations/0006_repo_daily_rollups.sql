CREATE TABLE "repo_daily_activity" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"day" date NOT NULL,
	"events" integer DEFAULT 0 NOT NULL,
	"last_event_at" timestamp with time zone,
	"commits" integer DEFAULT 0 NOT NULL,
	"analyzed_commits" integer DEFAULT 0 NOT NULL,
	"pending_commits" integer DEFAULT 0 NOT NULL,
	"ai_commits" integer DEFAULT 0 NOT NULL,
	"lines_t1" integer DEFAULT 0 NOT NULL,
	"lines_t2" integer DEFAULT 0 NOT NULL,
	"lines_t3" integer DEFAULT 0 NOT NULL,
	"lines_t4" integer DEFAULT 0 NOT NULL,
	"ai_lines_t1" integer DEFAULT 0 NOT NULL,
	"ai_lines_t2" integer DEFAULT 0 NOT NULL,
	"ai_lines_t3" integer DEFAULT 0 NOT NULL,
	"ai_lines_t4" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "repo_daily_activity_pkey" PRIMARY KEY("repo_id","day")
);
--> statement-breakpoint
CREATE TABLE "repo_daily_high_risk_files" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"day" date NOT NULL,
	"file_path" text NOT NULL,
	"changes" integer NOT NULL,
	CONSTRAINT "repo_daily_high_risk_files_pkey" PRIMARY KEY("repo_id","day","file_path")
);
--> statement-breakpoint
ALTER TABLE "repo_daily_activity" ADD CONSTRAINT "repo_daily_activity_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_daily_activity" ADD CONSTRAINT "repo_daily_activity_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_daily_high_risk_files" ADD CONSTRAINT "repo_daily_high_risk_files_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_daily_high_risk_files" ADD CONSTRAINT "repo_daily_high_risk_files_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "repo_daily_activity_org_day_idx" ON "repo_daily_activity" USING btree ("org_id","day");--> statement-breakpoint
CREATE INDEX "repo_daily_high_risk_files_org_day_idx" ON "repo_daily_high_risk_files" USING btree ("org_id","day","repo_id","file_path");--> statement-breakpoint
CREATE INDEX "code_attribution_repo_high_risk_idx" ON "code_attribution" USING btree ("repo_id","authored_at") WHERE "code_attribution"."risk_tier" >= 3 and "code_attribution"."ai_confidence" >= 0.5;