CREATE TABLE "repo_high_risk_decrements" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"day" date NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "repo_high_risk_file_last_days" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"file_path" text NOT NULL,
	"last_day" date NOT NULL
);
--> statement-breakpoint
ALTER TABLE "repo_high_risk_decrements" ADD CONSTRAINT "repo_high_risk_decrements_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_high_risk_decrements" ADD CONSTRAINT "repo_high_risk_decrements_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_high_risk_file_last_days" ADD CONSTRAINT "repo_high_risk_file_last_days_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repo_high_risk_file_last_days" ADD CONSTRAINT "repo_high_risk_file_last_days_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "repo_high_risk_decrements_org_repo_day_idx" ON "repo_high_risk_decrements" USING btree ("org_id","repo_id","day");--> statement-breakpoint
CREATE INDEX "repo_high_risk_file_last_days_org_repo_day_idx" ON "repo_high_risk_file_last_days" USING btree ("org_id","repo_id","last_day","file_path");--> statement-breakpoint
CREATE INDEX "repo_high_risk_file_last_days_repo_file_idx" ON "repo_high_risk_file_last_days" USING btree ("repo_id","file_path");