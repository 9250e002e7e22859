CREATE TABLE "alert_dedup" (
	"org_id" uuid NOT NULL,
	"rule" text NOT NULL,
	"repo_key" text NOT NULL,
	"alert_id" uuid NOT NULL,
	"last_triggered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "alert_dedup_pkey" PRIMARY KEY("org_id","rule","repo_key")
);
--> statement-breakpoint
ALTER TABLE "alert_dedup" ADD CONSTRAINT "alert_dedup_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;