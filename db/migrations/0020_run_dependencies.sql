CREATE TABLE "run_dependency" (
	"run_id" text NOT NULL,
	"depends_on_run_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_dependency_run_id_depends_on_run_id_pk" PRIMARY KEY("run_id","depends_on_run_id")
);
--> statement-breakpoint
ALTER TABLE "run_dependency" ADD CONSTRAINT "run_dependency_run_id_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."run"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "run_dependency_on_idx" ON "run_dependency" USING btree ("depends_on_run_id");