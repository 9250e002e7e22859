import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { SETTINGS_TABS } from "../app/utils/navigation.ts";
import { signInAndWaitForDemo } from "./support.ts";

/**
 * Issue 19's "done when": every page at 1,440 px (desktop) and 390 px (a phone), full-page screenshots attached to the
 * report, axe clean, and on desktop no table wider than its card, so no key column is cut off.
 */

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

/** Tables whose content is wider than the box that clips or scrolls them: [which table, content px, box px]. */
async function overflowingTables(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    document.querySelectorAll("table").forEach((table, index) => {
      let box: HTMLElement | null = table.parentElement;
      while (box && box !== document.body) {
        const style = getComputedStyle(box);
        if (["auto", "scroll", "hidden"].includes(style.overflowX)) break;
        box = box.parentElement;
      }
      const container = box && box !== document.body ? box : document.documentElement;
      if (container.scrollWidth > container.clientWidth + 1) {
        const name = table.closest("[data-testid]")?.getAttribute("data-testid") ?? `table ${index + 1}`;
        found.push(`${name}: ${container.scrollWidth} px in ${container.clientWidth} px`);
      }
    });
    if (document.documentElement.scrollWidth > document.documentElement.clientWidth + 1) {
      found.push(`page: ${document.documentElement.scrollWidth} px in ${document.documentElement.clientWidth} px`);
    }
    return found;
  });
}

/** Serious and critical axe violations, named; the full-page screenshot attached either way. */
async function lookAt(page: Page, testInfo: TestInfo, name: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: "image/png" });
  return serious.map((violation) => `${name}: ${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

/** The pages to look at, found from the demo as a user would reach them. */
async function pagesOf(page: Page): Promise<Array<{ name: string; path: string }>> {
  const pages = [
    { name: "overview", path: "/dashboard" },
    { name: "events", path: "/events" },
    { name: "incidents", path: "/incidents" },
    { name: "alerts", path: "/alerts" },
    { name: "pull-requests", path: "/pulls" },
    { name: "teams", path: "/teams" },
    ...SETTINGS_TABS.map((tab) => ({ name: tab.to.slice(1).replace("/", "-"), path: tab.to })),
  ];
  // The demo's incidents and alerts come after its deliveries are replayed, which may be after its first figures show.
  const hrefOf = async (path: string, selector: string) => {
    await page.goto(path);
    const link = page.locator(selector).first();
    await expect(async () => {
      await page.reload();
      await expect(link).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 120_000, intervals: [2_000] });
    return link.getAttribute("href");
  };
  const found: Array<[string, string | null]> = [
    ["repository", await hrefOf("/dashboard", '[data-testid="repository-row"] a[href^="/repos/"]')],
    ["event", await hrefOf("/events", '[data-testid="event-row"] a[href^="/events/"]')],
    ["incident", await hrefOf("/incidents", '[data-testid="incident-row"] a[href^="/incidents/"]')],
    ["alert", await hrefOf("/alerts", 'a[href^="/alerts/"]')],
    ["pull-request", await hrefOf("/pulls", '[data-testid="pull-request-row"] a[href*="/pulls/"]')],
    ["team", await hrefOf("/teams", 'a[href^="/teams/"]:not([href="/teams/new"])')],
  ];
  for (const [name, href] of found) {
    expect(href, `a ${name} page to open from the demo`).not.toBeNull();
    pages.push({ name, path: href! });
  }
  const repository = found[0]![1]!;
  pages.push({ name: "new-incident", path: `/incidents/new?repo=${repository.split("/")[2]}` });
  const file = await hrefOf(repository, 'a[href*="/files?path="]');
  expect(file, "a file page to open from the repository page").not.toBeNull();
  pages.push({ name: "file", path: file! });
  return pages;
}

test("every page fits at 1,440 px and reads at 390 px, axe clean, screenshots attached", async ({ page }, testInfo) => {
  test.setTimeout(420_000);
  await page.setViewportSize(DESKTOP);
  await signInAndWaitForDemo(page);
  const pages = await pagesOf(page);
  const overflowing: string[] = [];
  const inaccessible: string[] = [];
  for (const { name, path } of pages) {
    for (const [size, viewport] of [
      ["desktop", DESKTOP],
      ["phone", PHONE],
    ] as const) {
      await page.setViewportSize(viewport);
      const response = await page.goto(path);
      expect(response?.status(), `${path} answers`).toBe(200);
      await page.waitForLoadState("networkidle");
      if (size === "desktop") overflowing.push(...(await overflowingTables(page)).map((entry) => `${name}: ${entry}`));
      inaccessible.push(...(await lookAt(page, testInfo, `${name}-${size}`)));
    }
  }
  expect.soft(overflowing).toEqual([]);
  expect(inaccessible).toEqual([]);
});
