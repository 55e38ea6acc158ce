ALTER TABLE "run" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "run" ADD COLUMN "idempotency_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "run_user_idempotency_idx" ON "run" USING btree ("user_id","idempotency_key");