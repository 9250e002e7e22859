import { expect, test } from "@playwright/test";
import { checkPage, signInAndWaitForDemo } from "./support.ts";

test("a demo repository's page shows its delivery (DORA) card with the AI comparison, its AI commits by tool and unreviewed AI merges, accessible", async ({ page }, testInfo) => {
  await signInAndWaitForDemo(page);
  await page.getByRole("link", { name: "acme-demo/checkout-api" }).click();
  await expect(page).toHaveURL(/\/repos\/[0-9a-f-]{36}$/);

  const card = page.getByTestId("card-dora");
  await expect(card).toBeVisible();
  // The demo's 90 days are replayed in the background, oldest first: wait until most of its production deployments are
  // in (a few a week), so the card is read with the AI comparison filled.
  await expect(async () => {
    await page.reload();
    const detail = await card.getByTestId("dora-deployment-frequency").innerText();
    expect(Number(/(\d+) successful production deployment/.exec(detail)?.[1] ?? 0)).toBeGreaterThanOrEqual(15);
  }).toPass({ timeout: 100_000, intervals: [2_000] });
  await expect(card).toContainText("Delivery (DORA), last 90 days");
  // The demo deploys to production a few times a week, so every figure has a value with its unit and its counts.
  await expect(card.getByTestId("dora-deployment-frequency")).toContainText(/\d+\.\d per week/);
  await expect(card.getByTestId("dora-deployment-frequency")).toContainText(/[1-9]\d* successful production deployments?/);
  await expect(card.getByTestId("dora-lead-time")).toContainText(/\d+(\.\d)? (min|h|days)/);
  await expect(card.getByTestId("dora-change-failure-rate")).toContainText(/\d+ of [1-9]\d* production deployments?/);
  await expect(card.getByTestId("dora-time-to-restore")).toContainText(/resolved incidents?, \d+ still open/);
  // Both sides of the AI split say "n of m failed", or that there is nothing to compare.
  await expect(card.getByTestId("dora-ai-group")).toContainText(/\d+ of \d+ deployments? failed|no production deployments/);
  await expect(card.getByTestId("dora-other-group")).toContainText(/\d+ of \d+ deployments? failed|no production deployments/);
  // The demo's agents leave markers of several tools (Claude Code, Codex, Cursor, the Copilot coding agent).
  const tools = page.getByTestId("card-ai-tools");
  await expect(tools).toContainText("AI commits by tool, last 90 days");
  await expect(tools.getByTestId("ai-tool").filter({ hasText: "Claude Code" })).toHaveCount(1);
  expect(await tools.getByTestId("ai-tool").count()).toBeGreaterThanOrEqual(3);
  await expect(tools.getByTestId("ai-tools-explained")).toContainText("Unmarked");
  // Review compliance: how many merged pull requests with AI-written T3/T4 changes had no review, out of how many.
  await expect(page.getByTestId("unreviewed-ai-merges-headline")).toContainText(/\d+ of \d+ merged pull requests? with AI-written T3\/T4 changes/);
  await checkPage(page, testInfo, "repository-dora");
});
