CREATE TABLE "review_decision" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"number" integer NOT NULL,
	"user_id" text,
	"by_email" text NOT NULL,
	"action" text NOT NULL,
	"feedback" text,
	"pull_request" boolean DEFAULT false NOT NULL,
	"head_sha" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "repository" ADD COLUMN "github_repo" text;--> statement-breakpoint
ALTER TABLE "review_decision" ADD CONSTRAINT "review_decision_run_id_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."run"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_decision" ADD CONSTRAINT "review_decision_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "review_decision_run_number_idx" ON "review_decision" USING btree ("run_id","number");