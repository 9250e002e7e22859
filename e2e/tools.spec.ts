import { expect, test } from "@playwright/test";
import { checkPage, signInAndWaitForDemo } from "./support.ts";

test("the overview shows the organisation's AI tools by week and a per-tool table with AI tax, survival and repositories, accessible", async ({ page }, testInfo) => {
  await signInAndWaitForDemo(page);
  const card = page.getByTestId("card-organisation-ai-tools");
  const rows = card.getByTestId("organisation-ai-tool");
  // The demo's history is replayed in the background: wait until its agents' commits of several tools are in.
  await expect(async () => {
    await page.reload();
    expect(await rows.count()).toBeGreaterThanOrEqual(4);
  }).toPass({ timeout: 100_000, intervals: [2_000] });
  await expect(card.getByRole("heading", { name: "AI tools, last 90 days" })).toBeVisible();
  await expect(card).toContainText("AI commits per week, by tool");
  await expect(card).toContainText("AI-written lines per week, by tool");
  // The demo's agents leave markers of several tools, and some commits whose trailer was stripped read as AI by style alone.
  await expect(rows.filter({ hasText: "Claude Code" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "Cursor" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "Unmarked" })).toHaveCount(1);
  // Each tool: its repositories linked, and a figure or the reason there is none.
  const first = rows.first();
  await expect(first.getByTestId("ai-tool-repositories").getByRole("link", { name: /^(checkout-api|ledger-service|web-app)$/ }).first()).toBeVisible();
  for (const row of await rows.all()) {
    await expect(row.getByTestId("ai-tool-tax")).toHaveText(/^(\d+(\.\d)? %|too few lines|not yet)$/);
    await expect(row.getByTestId("ai-tool-survival-4w")).toHaveText(/^(\d+(\.\d)? %|too few lines|not yet)$/);
  }
  await expect(card.getByTestId("ai-tool-figures-explained")).toContainText("at least 5 AI commits and 200 written lines");
  await checkPage(page, testInfo, "overview-ai-tools");

  // A tool's repository link opens that repository's page, whose AI tools card has the same columns.
  await first.getByTestId("ai-tool-repositories").getByRole("link").first().click();
  await expect(page).toHaveURL(/\/repos\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("card-ai-tools").getByTestId("ai-tool-tax").first()).toHaveText(/^(\d+(\.\d)? %|too few lines|not yet)$/);
});
