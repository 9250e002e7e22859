CREATE TABLE "commit_detection_inputs" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"commit_sha" text NOT NULL,
	"input" jsonb NOT NULL,
	CONSTRAINT "commit_detection_inputs_pkey" PRIMARY KEY("repo_id","commit_sha")
);
--> statement-breakpoint
CREATE TABLE "metrics_stale_ranges" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid PRIMARY KEY NOT NULL,
	"first_authored_at" timestamp with time zone NOT NULL,
	"last_authored_at" timestamp with time zone NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "commit_detection_inputs" ADD CONSTRAINT "commit_detection_inputs_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commit_detection_inputs" ADD CONSTRAINT "commit_detection_inputs_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metrics_stale_ranges" ADD CONSTRAINT "metrics_stale_ranges_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metrics_stale_ranges" ADD CONSTRAINT "metrics_stale_ranges_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;