CREATE TABLE "team" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "team_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "team_member" (
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "team_member_team_id_user_id_pk" PRIMARY KEY("team_id","user_id")
);
--> statement-breakpoint
DROP INDEX "repository_live_name_idx";--> statement-breakpoint
-- Everything that exists belongs to one first team; on a new install it waits for the first
-- account, which becomes its owner (lib/services/teams.ts firstTeam).
INSERT INTO "team" ("id", "name", "slug") VALUES (gen_random_uuid()::text, 'Default team', 'default');--> statement-breakpoint
ALTER TABLE "api_token" ADD COLUMN "team_id" text;--> statement-breakpoint
ALTER TABLE "api_token" ADD COLUMN "scope" text DEFAULT 'admin' NOT NULL;--> statement-breakpoint
ALTER TABLE "invitation" ADD COLUMN "team_id" text;--> statement-breakpoint
ALTER TABLE "invitation" ADD COLUMN "team_role" text DEFAULT 'member' NOT NULL;--> statement-breakpoint
ALTER TABLE "repository" ADD COLUMN "team_id" text;--> statement-breakpoint
ALTER TABLE "run" ADD COLUMN "team_id" text;--> statement-breakpoint
ALTER TABLE "schedule" ADD COLUMN "team_id" text;--> statement-breakpoint
ALTER TABLE "user" ADD COLUMN "current_team_id" text;--> statement-breakpoint
-- Every account joins it (an instance admin as owner, anyone else as member) and works in it;
-- every repository, run, schedule and token is its; an invitation not yet used joins it with
-- the role it named (admin stays admin, user becomes member).
INSERT INTO "team_member" ("team_id", "user_id", "role", "created_at")
  SELECT (SELECT "id" FROM "team" WHERE "slug" = 'default'), "id", CASE WHEN "role" = 'admin' THEN 'owner' ELSE 'member' END, "created_at" FROM "user";--> statement-breakpoint
UPDATE "user" SET "current_team_id" = (SELECT "id" FROM "team" WHERE "slug" = 'default');--> statement-breakpoint
UPDATE "repository" SET "team_id" = (SELECT "id" FROM "team" WHERE "slug" = 'default');--> statement-breakpoint
UPDATE "run" SET "team_id" = (SELECT "id" FROM "team" WHERE "slug" = 'default');--> statement-breakpoint
UPDATE "schedule" SET "team_id" = (SELECT "id" FROM "team" WHERE "slug" = 'default');--> statement-breakpoint
UPDATE "api_token" SET "team_id" = (SELECT "id" FROM "team" WHERE "slug" = 'default');--> statement-breakpoint
UPDATE "invitation" SET "team_id" = (SELECT "id" FROM "team" WHERE "slug" = 'default'), "team_role" = CASE WHEN "role" = 'admin' THEN 'admin' ELSE 'member' END WHERE "id" <> 'first-account';--> statement-breakpoint
ALTER TABLE "api_token" ALTER COLUMN "team_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "repository" ALTER COLUMN "team_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "run" ALTER COLUMN "team_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "schedule" ALTER COLUMN "team_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "team_member" ADD CONSTRAINT "team_member_team_id_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."team"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_member" ADD CONSTRAINT "team_member_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "team_member_user_idx" ON "team_member" USING btree ("user_id","created_at");--> statement-breakpoint
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_team_id_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."team"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_team_id_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."team"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repository" ADD CONSTRAINT "repository_team_id_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."team"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run" ADD CONSTRAINT "run_team_id_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."team"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedule" ADD CONSTRAINT "schedule_team_id_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."team"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "repository_team_live_name_idx" ON "repository" USING btree ("team_id","name") WHERE "repository"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "run_team_created_idx" ON "run" USING btree ("team_id","created_at","id");--> statement-breakpoint
CREATE INDEX "schedule_team_idx" ON "schedule" USING btree ("team_id");--> statement-breakpoint
ALTER TABLE "invitation" DROP COLUMN "role";