import { expect, test } from "@playwright/test";
import { checkPage } from "./support.ts";

test("Setup: the demo user reviews the GitHub App manifest before leaving for GitHub; a forged callback stores nothing", async ({ page }, testInfo) => {
  await page.goto("/login");
  await page.getByRole("button", { name: "Continue as demo user" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);

  await page.goto("/setup");
  await expect(page.getByRole("heading", { name: "Register Sentinel's GitHub App" })).toBeVisible();
  // Served on loopback: GitHub could not deliver webhooks here, and the page says so.
  await expect(page.getByRole("note")).toContainText("GitHub cannot deliver webhooks");
  await checkPage(page, testInfo, "setup");

  await page.getByLabel("GitHub organisation (optional)").fill("not an org!");
  await page.getByRole("button", { name: "Review and continue" }).click();
  await expect(page.getByText("Letters, digits and single hyphens only")).toBeVisible();

  await page.getByLabel("GitHub organisation (optional)").fill("acme");
  await page.getByRole("button", { name: "Review and continue" }).click();
  const toGitHub = page.locator("form", { has: page.getByRole("button", { name: "Continue on GitHub" }) });
  await expect(toGitHub).toBeVisible();
  const action = new URL((await toGitHub.getAttribute("action"))!);
  expect(`${action.origin}${action.pathname}`).toBe("https://github.com/organizations/acme/settings/apps/new");
  expect(action.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{32,}$/);
  const manifest = JSON.parse((await toGitHub.locator('input[name="manifest"]').inputValue()) || "{}");
  const origin = new URL(page.url()).origin;
  expect(manifest).toMatchObject({ hook_attributes: { url: `${origin}/api/webhooks/github` }, redirect_url: `${origin}/setup/callback`, public: false });
  await checkPage(page, testInfo, "setup-continue");

  // GitHub's answer with a state this browser was not given is refused before any code exchange.
  const response = await page.goto("/setup/callback?code=0123456789abcdef&state=forged");
  expect(response?.status()).toBe(400);
  await expect(page.getByRole("heading", { name: "The App was not stored" })).toBeVisible();
  await checkPage(page, testInfo, "setup-callback-refused");
  await page.goto("/setup");
  await expect(page.getByRole("heading", { name: "Register Sentinel's GitHub App" })).toBeVisible();
});
