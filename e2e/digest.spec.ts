import { expect, test } from "@playwright/test";
import { checkPage, signInAndWaitForDemo } from "./support.ts";

// The weekly digest on Settings → Notification channels (issue 18, item 5): a Slack channel opts in, PagerDuty says
// why it cannot, and "Preview digest" shows the demo organisation's last complete week without sending anything.
test("weekly digest: opt a Slack channel in, see why PagerDuty cannot, preview the digest", async ({ page }, testInfo) => {
  // The previewed week is the replay's last complete one: it arrives minutes after the dashboard first shows numbers.
  test.setTimeout(420_000);
  await signInAndWaitForDemo(page);
  await page.goto("/settings/channels");

  const slack = page.getByRole("form", { name: "Add a Slack channel" });
  await slack.getByLabel("Name").fill("#eng-leads");
  await slack.getByLabel("Channel id or incoming-webhook URL").fill("C0DIGEST01");
  await slack.getByRole("button", { name: "Add Slack channel" }).click();
  const slackRow = page.getByTestId("channel-row").filter({ hasText: "#eng-leads" });
  await expect(slackRow).toContainText("channel C0DIGEST01");
  const pagerDuty = page.getByRole("form", { name: "Add a PagerDuty service" });
  await pagerDuty.getByLabel("Name").fill("Ops pager");
  await pagerDuty.getByLabel("Routing key").fill("R0UT1NGKEY0000000000000000000077");
  await pagerDuty.getByRole("button", { name: "Add PagerDuty channel" }).click();
  await expect(page.getByTestId("channel-row").filter({ hasText: "Ops pager" })).toContainText("not for PagerDuty: it pages on-call");

  await slackRow.getByRole("button", { name: "Send the weekly digest to #eng-leads" }).click();
  await expect(slackRow.getByRole("button", { name: "Stop the weekly digest to #eng-leads" })).toHaveText("On · turn off");

  await page.getByRole("button", { name: "Preview digest" }).click();
  await expect(page).toHaveURL(/\?preview=digest$/);
  const preview = page.getByTestId("digest-preview");
  // The demo's clock is fixed at Friday 20 November 2026: the last complete week is 9–15 November.
  await expect(preview).toContainText("9 Nov – 15 Nov 2026");
  // The demo replays its history oldest first while the page is open: until that week is in, the digest is the
  // plain empty one; reload until it has the week's numbers.
  await expect(async () => {
    await page.reload();
    await expect(preview).toContainText("AI share of written lines", { timeout: 1_000 });
  }).toPass({ timeout: 360_000, intervals: [5_000] });
  await expect(preview.getByRole("heading", { name: "AI commits by tool" })).toBeVisible();
  await checkPage(page, testInfo, "weekly-digest-preview");
});
