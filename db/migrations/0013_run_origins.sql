ALTER TABLE "run" ADD COLUMN "budget_usd" double precision;--> statement-breakpoint
ALTER TABLE "run" ADD COLUMN "origin_run_id" text;--> statement-breakpoint
ALTER TABLE "run" ADD COLUMN "origin_kind" text;--> statement-breakpoint
ALTER TABLE "run" ADD COLUMN "schedule_id" text;--> statement-breakpoint
CREATE INDEX "run_origin_idx" ON "run" USING btree ("origin_run_id");