import { expect, test } from "@playwright/test";
import { startFakeChannels, type FakeChannels } from "../tests/fakes/channels.ts";
import { checkPage, signInAndWaitForDemo } from "./support.ts";

// The server sends to these fakes (playwright.config.ts points SLACK_API_URL, RESEND_BASE_URL, … at this port).
let fakes: FakeChannels;

test.beforeAll(async () => {
  fakes = await startFakeChannels({ port: Number(process.env.SENTINEL_E2E_FAKES_PORT) });
});

test.afterAll(async () => {
  await fakes?.close();
});

test("notification channels: add an email channel (field errors first), send a test and see it arrive", async ({ page }, testInfo) => {
  await signInAndWaitForDemo(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Notification channels" }).click();
  await expect(page).toHaveURL(/\/settings\/channels$/);

  const email = page.getByRole("form", { name: "Add email recipients" });
  await email.getByLabel("Name").fill("On-call");
  await email.getByLabel("Addresses").fill("oncall@acme.example, not-an-address");
  await email.getByRole("button", { name: "Add email channel" }).click();
  await expect(email.getByRole("alert")).toHaveText("must be email addresses");
  await checkPage(page, testInfo, "channels-field-error");

  await email.getByLabel("Addresses").fill("oncall@acme.example\nlead@acme.example");
  await email.getByRole("button", { name: "Add email channel" }).click();
  // By its name cell: "On-call" as a substring also matches a PagerDuty row's "it pages on-call" note.
  const row = page.getByTestId("channel-row").filter({ has: page.getByRole("cell", { name: "On-call", exact: true }) });
  await expect(row).toContainText("oncall@acme.example, lead@acme.example");
  await expect(row).toContainText("enabled");
  await expect(email.getByLabel("Addresses")).toHaveValue("");

  await row.getByRole("button", { name: "Send test to On-call" }).click();
  await expect(row.getByRole("status")).toHaveText("Test message sent: it should arrive within a minute.");
  const sent = fakes.resend.emails.filter((message) => String(message.body.subject).includes("Sentinel test notification for On-call"));
  expect(sent).toHaveLength(1);
  expect(sent[0]!.body.to).toEqual(["oncall@acme.example", "lead@acme.example"]);
  await checkPage(page, testInfo, "channels");
});

test("alert rules: change a threshold (a bad value is named first), and it is kept", async ({ page }, testInfo) => {
  await signInAndWaitForDemo(page);
  await page.goto("/settings/alerts");
  const critical = page.getByTestId("alert-rule-ai_code_critical");
  const threshold = critical.getByRole("spinbutton", { name: /AI share of critical \(T4\) lines is above/ });
  await expect(threshold).toHaveValue("90");
  await expect(critical).toContainText("default 90");
  await checkPage(page, testInfo, "alert-rules");

  await threshold.fill("150");
  await page.getByRole("button", { name: "Save alert rules" }).click();
  await expect(critical.getByRole("alert")).toHaveText("must be 0–100");
  await expect(page.getByText("Nothing was saved")).toBeVisible();
  await checkPage(page, testInfo, "alert-rules-field-error");

  await threshold.fill("85");
  await page.getByRole("button", { name: "Save alert rules" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("alert-rule-ai_code_critical").getByRole("spinbutton", { name: /AI share of critical/ })).toHaveValue("85");
});

test("members: the demo user is the last owner and cannot be removed", async ({ page }, testInfo) => {
  await signInAndWaitForDemo(page);
  await page.goto("/settings/members");
  const me = page.getByTestId("member-row").filter({ hasText: "you" });
  await expect(me).toContainText("owner");
  await checkPage(page, testInfo, "members");
  await me.getByRole("button", { name: "Remove demo" }).click();
  await expect(page.getByRole("alert")).toContainText("last owner and cannot be removed");
});
