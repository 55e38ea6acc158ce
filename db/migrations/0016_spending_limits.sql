CREATE TABLE "member_budget" (
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"monthly_limit_usd" double precision,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "member_budget_team_id_user_id_pk" PRIMARY KEY("team_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "team_budget" (
	"team_id" text PRIMARY KEY NOT NULL,
	"monthly_limit_usd" double precision,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "member_budget" ADD CONSTRAINT "member_budget_updated_by_user_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_budget" ADD CONSTRAINT "member_budget_team_id_user_id_team_member_team_id_user_id_fk" FOREIGN KEY ("team_id","user_id") REFERENCES "public"."team_member"("team_id","user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_budget" ADD CONSTRAINT "team_budget_team_id_team_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."team"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_budget" ADD CONSTRAINT "team_budget_updated_by_user_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;