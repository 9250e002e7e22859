import { expect, test } from "@playwright/test";
import { checkPage, signInAndWaitForDemo } from "./support.ts";

test("the pull-request list compares AI-assisted and human pull requests, filters to AI-assisted and opens one, accessible", async ({ page }, testInfo) => {
  await signInAndWaitForDemo(page);
  await page.getByRole("link", { name: "Pull requests" }).first().click();
  await expect(page).toHaveURL(/\/pulls$/);
  await expect(page.getByRole("heading", { name: "Pull requests", level: 1 })).toBeVisible();

  // The demo's 90 days are replayed oldest first: wait until both sides of the comparison have merged pull requests.
  const comparison = page.getByTestId("card-pull-request-comparison");
  await expect(async () => {
    await page.reload();
    await expect(comparison.getByTestId("comparison-ai")).toContainText(/median of [1-9]\d*/, { timeout: 1_000 });
    await expect(comparison.getByTestId("comparison-human")).toContainText(/median of [1-9]\d*/, { timeout: 1_000 });
  }).toPass({ timeout: 100_000, intervals: [2_000] });
  // Each median carries its sample, and merged-without-review says "n of m".
  await expect(comparison.getByTestId("comparison-ai")).toContainText(/\d+ of \d+/);
  expect(await page.getByTestId("pull-request-row").count()).toBeGreaterThan(0);
  await checkPage(page, testInfo, "pull-requests");

  await page.getByLabel("Kind").selectOption("ai");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/kind=ai/);
  const rows = page.getByTestId("pull-request-row");
  await expect(rows.first()).toBeVisible();
  // Every AI-assisted row carries the AI badge.
  const count = await rows.count();
  for (let i = 0; i < count; i++) await expect(rows.nth(i)).toContainText("AI");
  await expect(rows.first().getByRole("link", { name: "GitHub" })).toHaveAttribute("href", /^https:\/\/github\.com\/acme-demo\/[\w-]+\/pull\/\d+$/);

  await rows.first().getByRole("link").first().click();
  await expect(page).toHaveURL(/\/repos\/[0-9a-f-]{36}\/pulls\/\d+$/);
  await expect(page.getByTestId("pr-ai-assisted")).toHaveText("Yes");
  await expect(page.getByTestId("pr-ai-share")).toContainText(/\d+ %|—/);
  await expect(page.getByRole("link", { name: "Open on GitHub" })).toHaveAttribute("href", /\/pull\/\d+$/);
  await checkPage(page, testInfo, "pull-request");
});
