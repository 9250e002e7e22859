import { eq } from "drizzle-orm";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../application/access/api-keys.server.ts";
import type { Services } from "../../application/services.ts";
import { seedDemoOrganization } from "../../demo/seed.ts";
import { organizations, repositories } from "../../infrastructure/db/schema/index.ts";
import { silentLogger } from "../../infrastructure/logging/logger.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { AiToolsCard } from "../components/repository/AiToolsCard.tsx";
import { OrganisationAiToolsCard } from "../components/tools/OrganisationAiToolsCard.tsx";
import * as toolsRoute from "../routes/api.v1.repos.$repoId.tools.ts";
import * as organisationToolsRoute from "../routes/api.v1.tools.ts";
import {
  aiToolsResponseSchema,
  CARD_REPOSITORIES,
  figures,
  getAiToolsSummary,
  getOrganisationAiToolsCard,
  getOrganisationAiToolsSummary,
  organisationAiToolsResponseSchema,
  organisationToolsCard,
  type AiToolsResponse,
} from "./ai-tools.server.ts";

/**
 * The demo organisation, seeded and analysed as `npm start` does, read through GET /api/v1/repos/{id}/tools and the
 * repository page's card.
 */

const NOW = new Date("2026-11-20T12:00:00Z");
const DAYS = 30;

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let demo: { orgId: string; key: string; repoIds: string[] };
let otherKey: string;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { clock: fixedClock(NOW) }));
  const seeded = await seedDemoOrganization({ db: database.db, queue: services.queue, logger: silentLogger }, { seed: 7, now: NOW, days: DAYS, analysis: "inline", metrics: false });
  const repos = await database.db.select({ id: repositories.id }).from(repositories).where(eq(repositories.orgId, seeded.orgId));
  const key = await createApiKey(database.db, seeded.orgId, { name: "CI" }, null, NOW);
  if (!key.ok) throw new Error("demo key");
  demo = { orgId: seeded.orgId, key: key.key, repoIds: repos.map((repo) => repo.id) };
  const [other] = await database.db.insert(organizations).values({ slug: "globex", name: "Globex" }).returning({ id: organizations.id });
  const keyB = await createApiKey(database.db, other!.id, { name: "Globex CI" }, null, NOW);
  if (!keyB.ok) throw new Error("other key");
  otherKey = keyB.key;
}, 240_000);

afterAll(async () => {
  await close?.();
  await database?.drop();
});

async function get(repoId: string, query = "", key: string | null = demo.key): Promise<Response> {
  const headers = new Headers(key ? { Authorization: `Bearer ${key}` } : {});
  const request = new Request(`http://sentinel.test/api/v1/repos/${repoId}/tools${query}`, { headers });
  try {
    return await toolsRoute.loader({ request, params: { repoId }, context: { services } } as unknown as Parameters<typeof toolsRoute.loader>[0]);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

describe("AI commits by tool on the demo organisation", () => {
  it("lists at least three tools a marker named, and never a commit scored before tools were recorded", async () => {
    const named = new Set<string>();
    for (const repoId of demo.repoIds) {
      const summary = await getAiToolsSummary(database.db, demo.orgId, repoId, { now: NOW, days: DAYS });
      for (const tool of summary.tools) if (tool.kind === "tool") named.add(tool.tool);
      expect(summary.tools.map((tool) => tool.kind)).not.toContain("unknown");
    }
    expect(named.size).toBeGreaterThanOrEqual(3);
  });

  it("GET /api/v1/repos/{id}/tools answers the schema, each week's counts adding up to the tools' totals", async () => {
    const response = await get(demo.repoIds[0]!);
    expect(response.status).toBe(200);
    const body = aiToolsResponseSchema.parse(await response.json()) as AiToolsResponse;
    expect(body).toMatchObject({ days: 90, to: NOW.toISOString(), repository: { id: demo.repoIds[0] } });
    expect(body.tools.length).toBeGreaterThan(0);
    const weekly = body.weeks.flatMap((week) => week.tools).reduce((sum, tool) => sum + tool.commits, 0);
    expect(weekly).toBe(body.tools.reduce((sum, tool) => sum + tool.commits, 0));
    const week = aiToolsResponseSchema.parse(await (await get(demo.repoIds[0]!, "?days=7")).json());
    expect(week.days).toBe(7);
  });

  it("refuses a range it does not offer, a missing key, and another organisation's repository (404)", async () => {
    const invalid = await get(demo.repoIds[0]!, "?days=14");
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: "invalid query parameters" });
    expect((await get(demo.repoIds[0]!, "", null)).status).toBe(401);
    expect((await get(demo.repoIds[0]!, "", otherKey)).status).toBe(404);
    expect((await get("not-a-uuid")).status).toBe(404);
  });

  it("the card lists every tool with its commits and lines, and says what unmarked and unknown mean", async () => {
    const summary = await getAiToolsSummary(database.db, demo.orgId, demo.repoIds[0]!, { now: NOW, days: DAYS });
    const html = renderToStaticMarkup(createElement(AiToolsCard, { tools: summary }));
    expect(html.match(/data-testid="ai-tool"/g)).toHaveLength(summary.tools.length);
    for (const tool of summary.tools.filter((one) => one.kind === "tool")) expect(html).toContain(`>${tool.tool}<`);
    expect(html).toContain("<strong>Unmarked</strong>");
    expect(html).toContain("<strong>Unknown</strong>");
    const empty = renderToStaticMarkup(createElement(AiToolsCard, { tools: { ...summary, tools: [], weeks: [] } }));
    expect(empty).toContain("was judged AI-written");
  });
});

async function getOrganisation(query = "", key: string | null = demo.key): Promise<Response> {
  const headers = new Headers(key ? { Authorization: `Bearer ${key}` } : {});
  const request = new Request(`http://sentinel.test/api/v1/tools${query}`, { headers });
  try {
    return await organisationToolsRoute.loader({ request, params: {}, context: { services } } as unknown as Parameters<typeof organisationToolsRoute.loader>[0]);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

describe("AI tools across the demo organisation (GET /api/v1/tools, the overview's card)", () => {
  it("counts what the repositories count, week by week, over whole weeks, with each tool's repositories", async () => {
    const response = await getOrganisation("?days=30");
    expect(response.status).toBe(200);
    const body = organisationAiToolsResponseSchema.parse(await response.json());
    expect(body.days).toBe(30);
    expect(new Set(body.data.filter((tool) => tool.kind === "tool").map((tool) => tool.tool)).size).toBeGreaterThanOrEqual(3);
    expect(body.data.map((tool) => tool.kind)).toContain("unmarked");
    // Every full week of the range: the organisation's rollup holds the sum of the repositories' commit reads.
    const perRepository = await Promise.all(demo.repoIds.map((repoId) => getAiToolsSummary(database.db, demo.orgId, repoId, { now: NOW, days: 30 })));
    for (const week of body.weeks.slice(1)) {
      const expected = new Map<string, number>();
      for (const summary of perRepository) for (const tool of summary.weeks.find((one) => one.week === week.week)?.tools ?? []) expected.set(tool.tool, (expected.get(tool.tool) ?? 0) + tool.commits);
      expect(new Map(week.tools.map((tool) => [tool.tool, tool.commits])), week.week).toEqual(expected);
    }
    for (const tool of body.data) {
      expect(tool.repositories.reduce((sum, repository) => sum + repository.commits, 0)).toBe(tool.commits);
      expect(tool.repositories.every((repository) => demo.repoIds.includes(repository.id))).toBe(true);
    }
  });

  it("gives AI tax and survival only above the minimum sample, and says so", () => {
    const lines = { linesBorn: 400, maturedLines: 300, reworkedLines: 30, deathsByWeek: [20, 10, 0, 0, 10], censoredByWeek: [0, 0, 0, 0, 0] };
    expect(figures({ tool: "Cursor", commits: 5, writtenLines: 200 }, lines)).toMatchObject({ insufficientData: false, aiTax: 0.1, survival4Weeks: 0.925, survival12Weeks: 0.9, followedLines: 300 });
    expect(figures({ tool: "Cursor", commits: 4, writtenLines: 5000 }, lines)).toMatchObject({ insufficientData: true, aiTax: null, survival4Weeks: null, reworkedLines: 30 });
    expect(figures({ tool: "Cursor", commits: 50, writtenLines: 199 }, lines)).toMatchObject({ insufficientData: true, aiTax: null });
    expect(figures({ tool: "Cursor", commits: 50, writtenLines: 5000 }, null)).toMatchObject({ insufficientData: false, aiTax: null, survival4Weeks: null, followedLines: 0 });
  });

  it("answers one CSV row per tool, its repositories by name in one cell", async () => {
    const json = organisationAiToolsResponseSchema.parse(await (await getOrganisation()).json());
    const response = await getOrganisation("?format=csv");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="sentinel-tools-2026-11-20.csv"`);
    const [header, ...rows] = (await response.text()).trim().split("\r\n");
    expect(header!.split(",")).toEqual(expect.arrayContaining(["tool", "commits", "writtenLines", "aiTax", "insufficientData", "repositories"]));
    expect(rows).toHaveLength(json.data.length);
  });

  it("refuses a range it does not offer or a format it does not know, a missing key, and shows another organisation nothing of the demo", async () => {
    expect((await getOrganisation("?days=14")).status).toBe(400);
    expect(await (await getOrganisation("?format=xml")).json()).toMatchObject({ fieldErrors: { format: "format is json or csv" } });
    expect((await getOrganisation("", null)).status).toBe(401);
    const others = organisationAiToolsResponseSchema.parse(await (await getOrganisation("", otherKey)).json());
    expect(others.data).toEqual([]);
    expect(others.weeks.every((week) => week.tools.length === 0)).toBe(true);
  });

  it("the overview's card lists every tool with its repositories and explains the minimum sample", async () => {
    const summary = await getOrganisationAiToolsCard(database.db, demo.orgId, { now: NOW, days: 90 });
    // Without the repositories' links, which need a router (the e2e spec follows them).
    const html = renderToStaticMarkup(createElement(OrganisationAiToolsCard, { tools: { ...summary, data: summary.data.map((tool) => ({ ...tool, repositories: [] })) } }));
    expect(html.match(/data-testid="organisation-ai-tool"/g)).toHaveLength(summary.data.length);
    expect(html).toContain("at least 5 AI commits and 200 written lines");
    const empty = renderToStaticMarkup(createElement(OrganisationAiToolsCard, { tools: { ...summary, data: [], weeks: [] } }));
    expect(empty).toContain("was judged AI-written");
  });

  it("the overview's card gets each tool's three busiest repositories and counts the rest, not every repository", async () => {
    const summary = await getOrganisationAiToolsSummary(database.db, demo.orgId, { now: NOW, days: 90 });
    const tool = { ...summary.data[0]!, repositories: Array.from({ length: 40 }, (_, index) => ({ id: `r${index}`, fullName: `acme/repo-${index}`, commits: 40 - index, writtenLines: 10 })) };
    const card = organisationToolsCard({ ...summary, data: [tool] });
    expect(card.data[0]!.repositories.map((repository) => repository.fullName)).toEqual(["acme/repo-0", "acme/repo-1", "acme/repo-2"]);
    expect(card.data[0]!.repositories).toHaveLength(CARD_REPOSITORIES);
    const html = renderToStaticMarkup(createElement(OrganisationAiToolsCard, { tools: { ...card, data: card.data.map((figures) => ({ ...figures, repositories: [] })) } }));
    expect(html).toContain("and 40 more");
  });
});
