CREATE TABLE "github_app_credentials" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"app_id" bigint NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"owner_login" text,
	"html_url" text NOT NULL,
	"client_id" text NOT NULL,
	"client_secret_encrypted" text NOT NULL,
	"webhook_secret_encrypted" text NOT NULL,
	"private_key_encrypted" text NOT NULL,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "github_app_credentials_single_row" CHECK ("github_app_credentials"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "github_app_credentials" ADD CONSTRAINT "github_app_credentials_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;