import { expect, test } from "@playwright/test";
import { checkPage, signInAndWaitForDemo } from "./support.ts";

test("teams: a team of two stays hidden, person figures appear only after an owner turns them on, an unknown login is a field error", async ({ page }, testInfo) => {
  await signInAndWaitForDemo(page);
  await page.getByRole("navigation").getByRole("link", { name: "Teams", exact: true }).first().click();
  await expect(page).toHaveURL(/\/teams$/);
  await expect(page.getByRole("heading", { name: "Teams", level: 1 })).toBeVisible();

  // The demo's three GitHub teams are shown; its manual team of two is not, and two people are too few for "Others".
  const table = page.getByTestId("teams-table");
  await expect(table.getByTestId("team-row")).toHaveCount(3);
  for (const name of ["Payments", "Web", "Ledger"]) await expect(table.getByRole("link", { name, exact: true })).toBeVisible();
  await expect(table).not.toContainText("Design systems");
  await expect(page.getByTestId("team-others-row")).toHaveCount(0);
  await expect(page.getByTestId("teams-privacy")).toContainText("fewer than 3 people are never shown on their own");
  await expect(page.getByTestId("teams-privacy")).toContainText("Per-person figures are off");
  await expect(page.getByTestId("teams-summary")).toContainText("1 smaller team is not shown on its own");
  // Figures are there: the demo's people commit, some with AI tools.
  const payments = table.getByTestId("team-row").filter({ hasText: "Payments" });
  await expect(payments.locator("td").nth(2)).toHaveText(/^[1-9][\d,]*$/);
  await checkPage(page, testInfo, "teams");

  // Per-person off: the team page shows the team as a whole, no person table.
  await table.getByRole("link", { name: "Payments", exact: true }).click();
  await expect(page).toHaveURL(/\/teams\/[0-9a-f-]{36}\?days=90$/);
  await expect(page.getByTestId("team-figures")).toBeVisible();
  await expect(page.getByTestId("team-people")).toHaveCount(0);
  await expect(page.getByTestId("team-people-off")).toContainText("Per-person figures are off");
  const teamUrl = page.url();
  await checkPage(page, testInfo, "team-people-off");

  // The owner turns per-person figures on in Settings → Teams.
  await page.goto("/settings/teams");
  await expect(page.getByTestId("per-person-state")).toHaveText("off");
  await page.getByRole("button", { name: "Turn per-person figures on" }).click();
  await expect(page.getByRole("status")).toContainText("Per-person figures are on.");
  await expect(page.getByTestId("per-person-state")).toHaveText("on");
  await expect(page.getByTestId("github-team-row")).toHaveCount(3);

  await page.goto(teamUrl);
  const people = page.getByTestId("team-people");
  await expect(people).toBeVisible();
  await expect(people.getByTestId("team-person-row")).toHaveCount(4);
  await expect(people).toContainText("lfischer");
  await checkPage(page, testInfo, "team-people-on");

  // A manual team naming a login nobody in the organisation has: a field error naming it, and nothing saved.
  await page.goto("/settings/teams");
  const form = page.getByTestId("new-team");
  await form.getByLabel("Name").fill("Release crew");
  await form.getByLabel(/^Members/).fill("mreed-dev, hsato, not-a-real-login-xyz");
  await form.getByRole("button", { name: "Create team" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Nothing was saved" })).toBeVisible();
  await expect(form.locator("#new-team-members-error")).toContainText("not-a-real-login-xyz");
  await expect(form.getByLabel(/^Members/)).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("manual-team")).toHaveCount(1);
  await checkPage(page, testInfo, "settings-teams-error");

  // Fixed, it is created.
  await form.getByLabel(/^Members/).fill("mreed-dev, hsato, jblake");
  await form.getByRole("button", { name: "Create team" }).click();
  await expect(page.getByRole("status")).toContainText("Team Release crew created.");
  await expect(page.getByTestId("manual-team")).toHaveCount(2);
});
