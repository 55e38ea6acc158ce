CREATE TABLE "input_decision" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"request_id" text NOT NULL,
	"kind" text NOT NULL,
	"user_id" text,
	"by_email" text NOT NULL,
	"decision" text,
	"note" text,
	"edited_input" jsonb,
	"remember" boolean DEFAULT false NOT NULL,
	"answer" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "input_decision" ADD CONSTRAINT "input_decision_run_id_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."run"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "input_decision" ADD CONSTRAINT "input_decision_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "input_decision_run_request_idx" ON "input_decision" USING btree ("run_id","request_id");