import { expect, test } from "@playwright/test";
import { checkPage, signInAndWaitForDemo } from "./support.ts";

test("overview → repository → an event's explanation, each page accessible", async ({ page }, testInfo) => {
  await page.goto("/login");
  await checkPage(page, testInfo, "login");
  await signInAndWaitForDemo(page);
  // The overview's columns: AI tax (from the nightly metrics the demo computes) and open incidents per repository.
  await expect(page.getByRole("columnheader", { name: "AI tax" })).toBeVisible();
  await expect(page.getByTestId("repository-ai-tax").first()).toHaveText(/^(\d+(\.\d)? %|—)$/);
  await expect(page.getByTestId("repository-open-incidents").first()).toHaveText(/^(0|\d+ open)$/);
  await checkPage(page, testInfo, "overview");

  await page.getByRole("link", { name: "acme-demo/checkout-api" }).click();
  await expect(page).toHaveURL(/\/repos\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: "acme-demo/checkout-api" })).toBeVisible();
  await expect(page.getByTestId("card-ai-share")).toContainText(/\d+(\.\d)? %/);
  // Charts render only after hydration: the placeholder is replaced by Tremor's SVG.
  await expect(page.getByRole("img", { name: /Added lines by risk tier/ }).locator("svg").first()).toBeVisible();
  await checkPage(page, testInfo, "repository");

  await page.getByTestId("recent-event").first().getByRole("link").click();
  await expect(page).toHaveURL(/\/events\/\d+$/);
  await checkPage(page, testInfo, "event");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" }).click();
  await expect(page.getByTestId("event-row").first()).toBeVisible();
  await checkPage(page, testInfo, "events");
});

test("log an incident with the suggested suspects, see its attribution, resolve it", async ({ page }, testInfo) => {
  await signInAndWaitForDemo(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Incidents" }).click();
  await expect(page.getByRole("heading", { name: "Incidents" })).toBeVisible();
  await checkPage(page, testInfo, "incidents");

  await page.getByRole("link", { name: "Log an incident" }).click();
  await page.getByLabel("Repository").selectOption({ label: "acme-demo/checkout-api" });
  await page.getByLabel("Title").fill("Checkout returns 500 after deploy");
  await page.getByLabel("Severity").selectOption("sev1");
  await page.getByRole("button", { name: "Find suspects" }).click();
  await expect(page.getByTestId("suspect-candidate").first()).toBeVisible();
  // The title survives the suspect lookup; make sure at least one suspect is ticked.
  await expect(page.getByLabel("Title")).toHaveValue("Checkout returns 500 after deploy");
  if ((await page.locator('input[name="suspect"]:checked').count()) === 0) await page.locator('input[name="suspect"]').first().check();
  const ticked = await page.locator('input[name="suspect"]:checked').count();
  await checkPage(page, testInfo, "incident-form");
  await page.getByRole("button", { name: "Log incident" }).click();

  await expect(page).toHaveURL(/\/incidents\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: /Checkout returns 500 after deploy/ })).toBeVisible();
  await expect(page.getByTestId("suspect-row")).toHaveCount(ticked);
  await expect(page.getByTestId("incident-ai-attribution")).toContainText(/%|—/);
  await checkPage(page, testInfo, "incident");
  await page.getByRole("button", { name: "Mark resolved" }).click();
  await expect(page.getByTestId("incident-status")).toContainText("Resolved");
});

test("alerts page and API keys: create (shown once), call the API, revoke (401 at once)", async ({ page, request }, testInfo) => {
  await signInAndWaitForDemo(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alerts" }).click();
  await expect(page.getByRole("heading", { name: "Alerts" })).toBeVisible();
  await checkPage(page, testInfo, "alerts");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("Name").fill("e2e");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").innerText()).trim();
  expect(key).toMatch(/^snt_[0-9A-Za-z]{36}$/);
  await checkPage(page, testInfo, "api-keys");

  const repos = await request.get("/api/v1/repos", { headers: { Authorization: `Bearer ${key}` } });
  expect(repos.status()).toBe(200);
  expect((await repos.json()).data).toHaveLength(3);
  const openapi = await request.get("/api/v1/openapi.json");
  expect((await openapi.json()).paths).toHaveProperty("/events");

  await page.reload();
  await expect(page.getByTestId("new-api-key")).toHaveCount(0);
  await page.getByRole("button", { name: "Revoke e2e" }).click();
  await expect(page.getByTestId("api-key-row").filter({ hasText: "e2e" })).toContainText("revoked");
  const revoked = await request.get("/api/v1/repos", { headers: { Authorization: `Bearer ${key}` } });
  expect(revoked.status()).toBe(401);

  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Risk paths" }).click();
  const checkout = page.getByTestId("risk-repo").filter({ hasText: "acme-demo/checkout-api" });
  await checkout.getByLabel("Pattern").fill("src/payments/**");
  await checkout.getByLabel("Tier").selectOption("4");
  await checkout.getByRole("button", { name: "Add" }).click();
  await expect(checkout).toContainText("src/payments/** → T4 Critical");
  await checkPage(page, testInfo, "risk-paths");
});
