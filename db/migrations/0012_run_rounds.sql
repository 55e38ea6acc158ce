ALTER TABLE "run" ADD COLUMN "round_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "run" ADD COLUMN "earlier_rounds_ms" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "run" ADD COLUMN "round" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE INDEX "run_created_idx" ON "run" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "run_repository_created_idx" ON "run" USING btree ("repository_id","created_at");--> statement-breakpoint
-- Runs from before rounds were kept: started_at held the latest start, which is the current
-- round's; the first start is the run's first recorded run.started.
UPDATE "run" SET "round_started_at" = "started_at" WHERE "started_at" IS NOT NULL;--> statement-breakpoint
UPDATE "run" SET "started_at" = "first"."at"
  FROM (SELECT "run_id", min("at") AS "at" FROM "run_event" WHERE "type" = 'run.started' GROUP BY "run_id") AS "first"
  WHERE "first"."run_id" = "run"."id" AND "first"."at" < "run"."started_at";--> statement-breakpoint
UPDATE "run" SET "round" = 1 + "decided"."n"
  FROM (SELECT "run_id", count(*)::integer AS "n" FROM "review_decision" WHERE "action" = 'request_changes' GROUP BY "run_id") AS "decided"
  WHERE "decided"."run_id" = "run"."id";--> statement-breakpoint
-- A run at work again after a review kept the earlier round's end: it has not finished.
UPDATE "run" SET "finished_at" = NULL WHERE "status" IN ('queued', 'running', 'waiting_input') AND "finished_at" IS NOT NULL;
