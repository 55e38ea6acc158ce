CREATE TABLE "run_check" (
	"run_id" text NOT NULL,
	"check_id" text NOT NULL,
	"phase" text NOT NULL,
	"name" text NOT NULL,
	"command" text DEFAULT '' NOT NULL,
	"source" text DEFAULT 'admin' NOT NULL,
	"status" text NOT NULL,
	"exit_code" integer,
	"timed_out" boolean DEFAULT false NOT NULL,
	"duration_ms" integer,
	"output" text DEFAULT '' NOT NULL,
	"truncated" boolean DEFAULT false NOT NULL,
	"head_sha" text,
	"error" text,
	"seq" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "run_check_run_id_check_id_pk" PRIMARY KEY("run_id","check_id")
);
--> statement-breakpoint
ALTER TABLE "run_check" ADD CONSTRAINT "run_check_run_id_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."run"("id") ON DELETE cascade ON UPDATE no action;