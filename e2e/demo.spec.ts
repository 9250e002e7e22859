import { expect, test } from "@playwright/test";

test("a newcomer starts Sentinel with nothing configured and sees the analysed demo organisation", async ({ page }) => {
  await page.goto("/");
  // Not signed in: the dashboard sends us to the sign-in page, which offers the local demo user.
  await expect(page).toHaveURL(/\/login/);
  await page.getByRole("button", { name: "Continue as demo user" }).click();

  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("note", { name: "Demo data" })).toContainText("Demo data.");
  await expect(page.getByText("Acme (demo)")).toBeVisible();

  // The demo organisation is seeded in the background while the server already answers: reload until the
  // three repositories are listed and the workers have analysed commits (AI share is no longer "—").
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("repository-row")).toHaveCount(3, { timeout: 1_000 });
    const share = await page.getByTestId("repository-row").first().locator("td").nth(2).innerText();
    expect(share).toMatch(/^\d+(\.\d)? %$/);
  }).toPass({ timeout: 100_000, intervals: [2_000] });

  const rows = page.getByTestId("repository-row");
  await expect(rows.nth(0)).toContainText("acme-demo/checkout-api");
  await expect(rows.nth(1)).toContainText("acme-demo/ledger-service");
  await expect(rows.nth(2)).toContainText("acme-demo/web-app");

  // From the overview to the evidence: the event feed, filtered to confident AI commits, then one commit.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" }).click();
  await page.getByLabel("Type").selectOption("commit");
  await page.getByLabel("Minimum AI confidence").selectOption("0.8");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/[?&]type=commit(&|$)/);
  await expect(page).toHaveURL(/[?&]minConfidence=0\.8(&|$)/);
  // The URL changes before the filtered rows replace the unfiltered ones: wait until every row on screen is a
  // commit of 80 % or more before opening the first, or the click can land on a row of the old list.
  const eventRows = page.getByTestId("event-row");
  await expect(eventRows.first()).toBeVisible();
  await expect(eventRows.filter({ hasNot: page.getByText("commit", { exact: true }) })).toHaveCount(0);
  await expect(eventRows.filter({ hasNotText: /(?:[89]\d|> 99|100) %$/ })).toHaveCount(0);
  await eventRows.first().getByRole("link").click();
  await expect(page.getByRole("heading", { name: /Why Sentinel thinks this commit is AI-written/ })).toBeVisible();
  await expect(page.getByTestId("signal").first()).toBeVisible();
  await expect(page.getByTestId("file-attribution").first()).toContainText(/T[1-4] /);
  await page.screenshot({ path: "test-results/event-explanation.png", fullPage: true });
});

test("sign-in is required: the health check is public, the dashboard is not", async ({ page, request }) => {
  const health = await request.get("/healthz");
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({
    status: "ok",
    checks: { database: { state: "up", kind: "embedded PGlite" }, queue: { state: "up", kind: "in-process" } },
  });

  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Fdashboard/);
});

test("a cross-site form post is refused", async ({ request }) => {
  const response = await request.post("/login", {
    form: { intent: "local" },
    headers: { Origin: "https://attacker.example" },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(403);
});
