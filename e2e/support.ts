import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";

/** No serious or critical axe violations on the page as it stands; the screenshot is kept as an artifact. */
export async function checkPage(page: Page, testInfo: TestInfo, name: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  expect(serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`)).toEqual([]);
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

/** Signs in as the local demo user and waits until the demo organisation's repositories are analysed. */
export async function signInAndWaitForDemo(page: Page) {
  await page.goto("/login");
  await page.getByRole("button", { name: "Continue as demo user" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("repository-row")).toHaveCount(3, { timeout: 1_000 });
    const share = await page.getByTestId("repository-row").first().locator("td").nth(2).innerText();
    expect(share).toMatch(/^\d+(\.\d)? %$/);
  }).toPass({ timeout: 100_000, intervals: [2_000] });
}

/**
 * Waits for a commit of one of `repos` judged AI-written (confidence ≥ 0.9) whose counted files are all AI-written,
 * through the API: the demo keeps streaming its history in for a minute or two after the first numbers show.
 */
export async function waitForAiWrittenCommit(
  request: APIRequestContext,
  headers: Record<string, string>,
  repos: ReadonlyArray<{ id: string; fullName: string }>,
): Promise<{ repo: { id: string; fullName: string }; sha: string }> {
  const find = async () => {
    for (const repo of repos) {
      const events = await request.get(`/api/v1/events?repo=${repo.id}&type=commit&minConfidence=0.9&limit=50`, { headers });
      expect(events.status()).toBe(200);
      for (const event of (await events.json()).data as Array<{ id: number }>) {
        const detail = (await (await request.get(`/api/v1/events/${event.id}`, { headers })).json()).data;
        const counted = (detail.files as Array<{ countsTowardShare: boolean; aiConfidence: number; linesAdded: number }>).filter((file) => file.countsTowardShare && file.linesAdded > 0);
        if (counted.length > 0 && counted.every((file) => file.aiConfidence >= 0.5)) return { repo, sha: detail.commit.sha as string };
      }
    }
    return null;
  };
  let found: Awaited<ReturnType<typeof find>> = null;
  await expect(async () => {
    found = await find();
    expect(found, `an analysed AI-written commit in ${repos.map((repo) => repo.fullName).join(" or ")}`).not.toBeNull();
  }).toPass({ timeout: 150_000, intervals: [3_000] });
  return found!;
}
