import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page, type TestInfo } from "@playwright/test";

/** No serious or critical axe violations on the page as it stands; the screenshot is kept as an artifact. */
async function checkPage(page: Page, testInfo: TestInfo, name: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  expect(serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`)).toEqual([]);
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

test("the demo owner opens Settings → Queues: depth of every queue, failed jobs per queue, accessible", async ({ page }, testInfo) => {
  await page.goto("/login");
  await page.getByRole("button", { name: "Continue as demo user" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Queues" }).click();
  await expect(page).toHaveURL(/\/settings\/queues$/);

  const rows = page.getByTestId("queue-depth-row");
  await expect(rows).toHaveCount(4);
  await expect(rows.locator("td:first-child")).toHaveText(["webhooks", "analysis", "scheduled-jobs", "notifications"]);
  // The demo organisation is analysed by the workers in this very process: completed analysis jobs show up.
  await expect(async () => {
    await page.reload();
    const completed = await page.getByTestId("queue-depth-row").nth(1).locator('td[data-state="completed"]').innerText();
    expect(Number(completed.replace(/,/g, ""))).toBeGreaterThan(0);
  }).toPass({ timeout: 100_000, intervals: [2_000] });
  await expect(page.getByRole("heading", { level: 2, name: /Failed jobs in/ })).toBeVisible();
  await checkPage(page, testInfo, "queues");

  await page.getByRole("link", { name: "notifications" }).click();
  await expect(page).toHaveURL(/queue=notifications/);
  await expect(page.getByRole("link", { name: "notifications" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("heading", { level: 2, name: "Failed jobs in notifications (0)" })).toBeVisible();
  await expect(page.getByText("No failed jobs of Acme (demo) in this queue.")).toBeVisible();
});
