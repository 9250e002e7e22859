CREATE TABLE "commit_failures" (
	"org_id" uuid NOT NULL,
	"repo_id" uuid NOT NULL,
	"sha" text NOT NULL,
	"stage" text NOT NULL,
	"reason" text NOT NULL,
	"failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "commit_failures_repo_id_sha_pk" PRIMARY KEY("repo_id","sha")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "scope" text DEFAULT 'read' NOT NULL;--> statement-breakpoint
-- Keys made before scopes existed could already create incidents and acknowledge alerts: they keep doing so.
UPDATE "api_keys" SET "scope" = 'write';--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "repositories" ADD COLUMN "access_error" text;--> statement-breakpoint
ALTER TABLE "repositories" ADD COLUMN "access_error_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "commit_failures" ADD CONSTRAINT "commit_failures_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commit_failures" ADD CONSTRAINT "commit_failures_repo_id_repositories_id_fk" FOREIGN KEY ("repo_id") REFERENCES "public"."repositories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "commit_failures_org_idx" ON "commit_failures" USING btree ("org_id","failed_at");