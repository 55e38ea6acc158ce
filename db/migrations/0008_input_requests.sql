CREATE TABLE "input_request" (
	"run_id" text NOT NULL,
	"request_id" text NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"tool" text,
	"input" jsonb,
	"question" text,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"deadline" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"decision" text,
	"answer" text,
	"note" text,
	"edited_input" jsonb,
	"remember" boolean DEFAULT false NOT NULL,
	"by_user_id" text,
	"by_email" text,
	CONSTRAINT "input_request_run_id_request_id_pk" PRIMARY KEY("run_id","request_id")
);
--> statement-breakpoint
-- Data: every request the runs' events recorded (what was asked, when first asked) ...
INSERT INTO "input_request" ("run_id", "request_id", "kind", "tool", "input", "question", "reasons", "requested_at", "deadline")
SELECT DISTINCT ON (e."run_id", e."data"->>'requestId')
	e."run_id", e."data"->>'requestId', coalesce(e."data"->>'kind', 'approval'), e."data"->>'tool', e."data"->'input', e."data"->>'question',
	CASE WHEN jsonb_typeof(e."data"->'reasons') = 'array' THEN e."data"->'reasons' ELSE '[]'::jsonb END,
	e."at", e."at" + make_interval(secs => r."input_timeout_sec")
FROM "run_event" e JOIN "run" r ON r."id" = e."run_id"
WHERE e."type" = 'input.requested' AND e."data"->>'requestId' IS NOT NULL
ORDER BY e."run_id", e."data"->>'requestId', e."stream_ms", e."stream_seq";
--> statement-breakpoint
-- ... how each ended as the feed recorded it (a timeout's denial included) ...
UPDATE "input_request" q SET
	"status" = CASE WHEN e."data"->>'by' = 'timeout' THEN 'timed_out' ELSE 'answered' END,
	"resolved_at" = e."at",
	"decision" = e."data"->>'decision',
	"answer" = e."data"->>'answer',
	"note" = e."data"->>'note',
	"edited_input" = e."data"->'editedInput',
	"remember" = coalesce(e."data"->>'remember' = 'true', false),
	"by_email" = CASE WHEN e."data"->>'by' = 'timeout' THEN NULL ELSE e."data"->>'by' END
FROM (
	SELECT DISTINCT ON ("run_id", "data"->>'requestId') "run_id", "data", "at" FROM "run_event"
	WHERE "type" = 'input.resolved' ORDER BY "run_id", "data"->>'requestId', "stream_ms", "stream_seq"
) e
WHERE e."run_id" = q."run_id" AND e."data"->>'requestId' = q."request_id";
--> statement-breakpoint
-- ... and the audit of people's answers, which knows the account: it wins.
INSERT INTO "input_request" ("run_id", "request_id", "kind", "status", "requested_at", "resolved_at", "decision", "answer", "note", "edited_input", "remember", "by_user_id", "by_email")
SELECT "run_id", "request_id", "kind", 'answered', "created_at", "created_at", "decision", "answer", "note", "edited_input", "remember", "user_id", "by_email" FROM "input_decision"
ON CONFLICT ("run_id", "request_id") DO UPDATE SET
	"status" = 'answered', "resolved_at" = excluded."resolved_at", "decision" = excluded."decision", "answer" = excluded."answer",
	"note" = excluded."note", "edited_input" = excluded."edited_input", "remember" = excluded."remember",
	"by_user_id" = excluded."by_user_id", "by_email" = excluded."by_email";
--> statement-breakpoint
-- Requests of runs that no longer wait for anything are closed.
UPDATE "input_request" q SET "status" = 'cancelled', "resolved_at" = coalesce(r."finished_at", r."updated_at")
FROM "run" r
WHERE r."id" = q."run_id" AND q."status" = 'pending' AND r."status" NOT IN ('queued', 'running', 'waiting_input');
--> statement-breakpoint
DROP TABLE "input_decision" CASCADE;--> statement-breakpoint
ALTER TABLE "input_request" ADD CONSTRAINT "input_request_run_id_run_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."run"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "input_request" ADD CONSTRAINT "input_request_by_user_id_user_id_fk" FOREIGN KEY ("by_user_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "input_request_status_idx" ON "input_request" USING btree ("status","requested_at");