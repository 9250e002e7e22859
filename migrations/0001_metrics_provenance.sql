CREATE TABLE "commit_file_patches" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"commit_sha" text NOT NULL,
	"file_path" text NOT NULL,
	"previous_path" text,
	"status" text NOT NULL,
	"patch" text,
	"patch_truncated" boolean DEFAULT false NOT NULL,
	"ai_authored" boolean NOT NULL,
	"authored_at" timestamp with time zone NOT NULL,
	CONSTRAINT "commit_file_patches_pkey" PRIMARY KEY("repo_id","commit_sha","file_path")
);
--> statement-breakpoint
CREATE TABLE "line_survival" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"cohort_week" date NOT NULL,
	"author_kind" text NOT NULL,
	"lines_born" integer NOT NULL,
	"lines_died" integer NOT NULL,
	"lines_lost" integer NOT NULL,
	"survival_w_1" real,
	"survival_w_2" real,
	"survival_w_4" real,
	"survival_w_8" real,
	"survival_w_12" real,
	"half_life_days" real,
	"curve" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "line_survival_counts" CHECK ("line_survival"."lines_died" + "line_survival"."lines_lost" <= "line_survival"."lines_born")
);
--> statement-breakpoint
CREATE TABLE "review_queue_snapshots" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"waiting" integer NOT NULL,
	"oldest_wait_minutes" real,
	"median_pickup_minutes" real,
	"hanging" integer NOT NULL,
	"ai_waiting_share" real,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "commit_file_patches" ADD CONSTRAINT "commit_file_patches_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commit_file_patches" ADD CONSTRAINT "commit_file_patches_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "line_survival" ADD CONSTRAINT "line_survival_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "line_survival" ADD CONSTRAINT "line_survival_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_queue_snapshots" ADD CONSTRAINT "review_queue_snapshots_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_queue_snapshots" ADD CONSTRAINT "review_queue_snapshots_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "commit_file_patches_repo_authored_idx" ON "commit_file_patches" USING btree ("repo_id","authored_at");--> statement-breakpoint
CREATE UNIQUE INDEX "line_survival_repo_week_kind_key" ON "line_survival" USING btree ("repo_id","cohort_week","author_kind");--> statement-breakpoint
CREATE UNIQUE INDEX "review_queue_snapshots_repo_taken_key" ON "review_queue_snapshots" USING btree ("repo_id","taken_at");--> statement-breakpoint
CREATE INDEX "review_queue_snapshots_org_taken_idx" ON "review_queue_snapshots" USING btree ("org_id","taken_at" DESC NULLS LAST);