ALTER TABLE "repository" DROP CONSTRAINT "repository_name_unique";--> statement-breakpoint
ALTER TABLE "repository" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "user" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "repository_live_name_idx" ON "repository" USING btree ("name") WHERE "repository"."deleted_at" is null;