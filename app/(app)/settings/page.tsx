import { redirect } from "next/navigation";

/** The nav's "Settings" lands on the first settings page; the settings sub-nav leads to the others. */
export default function SettingsIndexPage() {
  redirect("/settings/notifications");
}
