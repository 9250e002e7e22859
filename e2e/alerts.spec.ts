import { expect, test } from "@playwright/test";
import { E2E_NOW } from "./clock.ts";
import { checkPage, signInAndWaitForDemo, waitForAiWrittenCommit } from "./support.ts";

/** The reason the incident_ai_attributed rule gives (domain/alerts/reason.ts). */
const INCIDENT_REASON = /^\d+(\.\d)? % of the lines in the incident's suspected commits were AI-written \(threshold \d+(\.\d)? %\)$/;

test("alerts say why in the list; an alert's page shows its numbers, what triggered it, and acknowledges it", async ({ page, request }, testInfo) => {
  await signInAndWaitForDemo(page);

  // An alert with something to link to: an incident whose suspected commit Sentinel judged AI-written. (When the
  // dashboard spec ran first, its incident's alert is there already; a second one within 24 h is deduplicated.)
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("Name").fill("e2e-alerts");
  await page.getByLabel("Scope").selectOption("write");
  await page.getByRole("button", { name: "Create key" }).click();
  const headers = { Authorization: `Bearer ${(await page.getByTestId("new-api-key").innerText()).trim()}` };
  const repos: Array<{ id: string; fullName: string }> = (await (await request.get("/api/v1/repos", { headers })).json()).data;
  const { repo, sha } = await waitForAiWrittenCommit(request, headers, repos);
  const created = await request.post("/api/v1/incidents", {
    headers,
    data: { repoId: repo.id, title: "Reconciliation totals drift", severity: "sev2", startedAt: E2E_NOW, suspectedCommitShas: [sha] },
  });
  expect(created.status()).toBe(201);

  // The list: every alert says why under its title, and its title links to its page.
  const title = `Incident in ${repo.fullName} points at AI-written code`;
  const row = page.getByTestId("alert-row").filter({ hasText: title }).first();
  await expect(async () => {
    await page.goto(`/alerts?repo=${repo.id}`);
    await expect(row).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000, intervals: [1_000] });
  const reasons = await page.getByTestId("alert-reason").allInnerTexts();
  expect(reasons.length).toBe(await page.getByTestId("alert-row").count());
  for (const reason of reasons) expect(reason.trim()).not.toBe("");
  const reason = (await row.getByTestId("alert-reason").innerText()).trim();
  expect(reason).toMatch(INCIDENT_REASON);
  await checkPage(page, testInfo, "alerts-with-reasons");

  // The alert's page: the same sentence, the numbers against the threshold, the incident it points at.
  await row.getByRole("link", { name: title }).click();
  await expect(page).toHaveURL(/\/alerts\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(page.getByTestId("alert-reason")).toHaveText(reason);
  const share = page.getByTestId("alert-figures").getByRole("row").filter({ hasText: "AI share of the suspected commits' lines" });
  await expect(share).toContainText(/above \d+ %/);
  await expect(page.getByTestId("alert-triggers").getByRole("link", { name: repo.fullName })).toHaveAttribute("href", `/repos/${repo.id}`);
  await expect(page.getByTestId("alert-triggers").getByRole("link", { name: /Reconciliation totals drift|Totals drift/ }).first()).toHaveAttribute("href", /^\/incidents\/[0-9a-f-]{36}$/);
  await checkPage(page, testInfo, "alert");

  // Acknowledge from the page (when the list or another spec has not already): the status says who.
  const acknowledge = page.getByRole("button", { name: "Acknowledge" });
  if ((await acknowledge.count()) > 0) await acknowledge.click();
  await expect(page.getByTestId("alert-status")).toContainText(/^Acknowledged by \S+ \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  await expect(page.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);
  await checkPage(page, testInfo, "alert-acknowledged-on-its-page");
});
