import type { Metadata } from "next";
import { NotificationButton } from "@/components/inputs/NotificationButton";
import { DeliveryLog } from "@/components/notifications/DeliveryLog";
import { WebhookForm } from "@/components/notifications/WebhookForm";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { getNotificationSettings, listNotificationDeliveries } from "@/lib/services/notifications";
import { saveNotificationSettingsAction, sendTestNotificationAction } from "./actions";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  const { app, principal } = await requirePrincipal();
  const [settings, deliveries] = await Promise.all([getNotificationSettings(app, principal), listNotificationDeliveries(app, principal)]);
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageHeader title="Notifications" description="Hear about your runs when they need you: an approval or a question, a run ready for review, a run that failed." />
      <Card
        title="In this browser"
        description="While any AgentDesk page is open in this browser, even in a background tab. Only your own runs."
        actions={<NotificationButton />}
      >
        <p className="text-sm text-zinc-400">
          A notification for each new approval or question, each run ready for review and each run that failed; clicking it opens the run or
          its review. Nothing for what you are already looking at.
        </p>
      </Card>
      <Card
        title="Webhook"
        description="A message to your chat (Slack-compatible JSON) when one of your runs reaches a state you chose, with a link to it. It carries the run's title, repository and status, never its commands or secrets."
      >
        <WebhookForm settings={settings} action={saveNotificationSettingsAction} />
      </Card>
      <Card title="Recent deliveries" description="The latest attempts to reach your webhook; failed ones are tried again for about 12 minutes.">
        <DeliveryLog initial={deliveries} hasWebhook={settings.webhookUrl !== null} testAction={sendTestNotificationAction} />
      </Card>
    </div>
  );
}
