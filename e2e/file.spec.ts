import { expect, test } from "@playwright/test";
import { checkPage, signInAndWaitForDemo } from "./support.ts";

test("repository → a high-risk file → its history: tier and why, commits, weekly AI share; the range is kept", async ({ page }, testInfo) => {
  await signInAndWaitForDemo(page);
  // The demo repository with a high-risk file: AI-written changes to T3/T4 code (the payments code, say).
  const names = await page.getByTestId("repository-row").getByRole("link").allInnerTexts();
  let opened = false;
  for (const name of names) {
    await page.goto("/dashboard");
    await page.getByRole("link", { name, exact: true }).first().click();
    await expect(page).toHaveURL(/\/repos\/[0-9a-f-]{36}$/);
    if ((await page.getByTestId("high-risk-file").count()) > 0) {
      opened = true;
      break;
    }
  }
  expect(opened, "a demo repository with a high-risk file").toBe(true);

  const first = page.getByTestId("high-risk-file").first().getByRole("link");
  const path = (await first.innerText()).trim();
  await first.click();
  await expect(page).toHaveURL(/\/repos\/[0-9a-f-]{36}\/files\?path=/);
  await expect(page.getByTestId("file-path")).toHaveText(path);
  // The card listed it as T3/T4 for an AI change; the file page says which rule or override decides its tier.
  await expect(page.getByTestId("file-tier")).toContainText(/Why: T[1-4] /);
  await expect(page.getByTestId("file-commit").first()).toBeVisible();
  await expect(page.getByTestId("file-commit").first().locator("td").nth(3)).toHaveText(/^(> 99 %|< 1 %|\d+ %)$/);
  await expect(page.getByRole("img", { name: /Weekly AI share/ }).locator("svg").first()).toBeVisible();
  await checkPage(page, testInfo, "file");

  // A commit links to its explanation, whose file list links back to this file's page.
  const commitLink = page.getByTestId("file-commit").getByRole("link").first();
  if ((await commitLink.count()) > 0) {
    await commitLink.click();
    await expect(page).toHaveURL(/\/events\/\d+$/);
    await page.getByTestId("file-attribution").getByRole("link", { name: path, exact: true }).click();
    await expect(page.getByTestId("file-path")).toHaveText(path);
  }

  // The range is chosen in the URL and keeps the file.
  await page.getByRole("combobox", { name: "Range" }).selectOption("7");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/days=7/);
  await expect(page.getByTestId("file-path")).toHaveText(path);
});
