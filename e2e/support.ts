import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, type TestInfo } from "@playwright/test";

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
