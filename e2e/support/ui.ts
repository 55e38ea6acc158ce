import type { Page } from "playwright-core";

/** Signs up through the sign-up page and waits for the runs page. */
export async function signUpInBrowser(page: Page, baseUrl: string, email: string, password = "correct horse battery"): Promise<void> {
  await page.goto(`${baseUrl}/sign-up`);
  await page.fill("#name", email.split("@")[0]!);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${baseUrl}/`);
}
