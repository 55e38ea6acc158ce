CREATE TABLE "run_template" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"repository_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"run" jsonb NOT NULL,
	"variables" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "run" ADD COLUMN "template_id" text;--> statement-breakpoint
ALTER TABLE "schedule" ADD COLUMN "template_id" text;--> statement-breakpoint
ALTER TABLE "schedule" ADD COLUMN "template_variables" jsonb;--> statement-breakpoint
ALTER TABLE "run_template" ADD CONSTRAINT "run_template_team_id_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."team"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_template" ADD CONSTRAINT "run_template_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "run_template_team_name_idx" ON "run_template" USING btree ("team_id","name");--> statement-breakpoint
ALTER TABLE "schedule" ADD CONSTRAINT "schedule_template_id_run_template_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."run_template"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "schedule_template_idx" ON "schedule" USING btree ("template_id");