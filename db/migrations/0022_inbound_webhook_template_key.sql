-- A webhook whose template was deleted before this key existed can start nothing (each of its deliveries fails); it goes, so the key can be added.
DELETE FROM "inbound_webhook" WHERE "template_id" NOT IN (SELECT "id" FROM "run_template");--> statement-breakpoint
ALTER TABLE "inbound_webhook" ADD CONSTRAINT "inbound_webhook_template_id_run_template_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."run_template"("id") ON DELETE restrict ON UPDATE no action;
