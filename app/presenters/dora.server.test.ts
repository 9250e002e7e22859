import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../application/access/api-keys.server.ts";
import type { Services } from "../../application/services.ts";
import { seedDemoOrganization } from "../../demo/seed.ts";
import { organizations, repositories } from "../../infrastructure/db/schema/index.ts";
import { silentLogger } from "../../infrastructure/logging/logger.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import * as organizationDoraRoute from "../routes/api.v1.dora.ts";
import * as repositoryDoraRoute from "../routes/api.v1.repos.$repoId.dora.ts";
import { doraResponseSchema, getDoraSummary } from "./dora.server.ts";
import { DEFAULT_RANGE_DAYS } from "../utils/range-days.ts";

/** The demo is generated up to this instant, and the routes' "now" is the same one. */
const NOW = new Date("2026-11-20T12:00:00Z");

type Loader = (args: { request: Request; params: Record<string, string>; context: { services: Services } }) => Promise<Response>;

describe("delivery (DORA) on the demo organisation", () => {
  let database: TestDatabase;
  let services: Services;
  let close: () => Promise<void>;
  let orgId: string;
  let key: string;
  let repoIds: string[];
  let foreignRepoId: string;

  async function get(loader: Loader, path: string, params: Record<string, string> = {}): Promise<Response> {
    const request = new Request(`http://sentinel.test/api/v1${path}`, { headers: { Authorization: `Bearer ${key}` } });
    try {
      return await loader({ request, params, context: { services } });
    } catch (thrown) {
      if (thrown instanceof Response) return thrown;
      throw thrown;
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ services, close } = await createTestServices(database, { clock: fixedClock(NOW) }));
    // A month of the demo: production deployments a few times a week, a failure now and then, and its incident.
    const seeded = await seedDemoOrganization({ db: database.db, queue: services.queue, logger: silentLogger }, { now: NOW, days: 30, analysis: "inline", metrics: false });
    orgId = seeded.orgId;
    repoIds = (await database.db.select({ id: repositories.id }).from(repositories).where(eq(repositories.orgId, orgId))).map((row) => row.id);
    const created = await createApiKey(database.db, orgId, { name: "CI", scope: "read" }, null, NOW);
    if (!created.ok) throw new Error("could not create an API key");
    key = created.key;
    const [globex] = await database.db.insert(organizations).values({ slug: "globex", name: "Globex" }).returning({ id: organizations.id });
    const [foreign] = await database.db.insert(repositories).values({ orgId: globex!.id, fullName: "globex/api" }).returning({ id: repositories.id });
    foreignRepoId = foreign!.id;
  }, 300_000);

  afterAll(async () => {
    await close?.();
    await database?.drop();
  });

  it("fills every figure of the repository card from the demo's deployments and incidents", async () => {
    const cards = await Promise.all(repoIds.map((repoId) => getDoraSummary(database.db, orgId, repoId, { now: NOW, days: DEFAULT_RANGE_DAYS })));
    for (const card of cards) {
      expect(card.deploymentFrequency.deployments).toBeGreaterThan(0);
      expect(card.deploymentFrequency.perWeek).toBeGreaterThan(0);
      expect(card.leadTime.commits).toBeGreaterThan(0);
      expect(card.leadTime.medianMinutes).toBeGreaterThan(0);
      expect(card.changeFailureRate.deployments).toBeGreaterThanOrEqual(card.deploymentFrequency.deployments);
      expect(card.aiSplit.aiHighRisk.deployments + card.aiSplit.other.deployments).toBe(card.changeFailureRate.deployments);
    }
    // The demo's story: an incident after a deployment that shipped AI-written changes to critical code.
    const incidents = cards.reduce((sum, card) => sum + card.timeToRestore.resolved + card.timeToRestore.unresolved, 0);
    expect(incidents).toBeGreaterThan(0);
    expect(cards.some((card) => card.changeFailureRate.failedByIncident > 0 && card.aiSplit.aiHighRisk.incidents > 0)).toBe(true);
    expect(cards.some((card) => card.timeToRestore.medianMinutes !== null && card.timeToRestore.medianMinutes > 0)).toBe(true);
  });

  it("answers the API for a repository and the organisation in the documented shape, the organisation's being the sum", async () => {
    const perRepository = await Promise.all(
      repoIds.map(async (repoId) => {
        const response = await get(repositoryDoraRoute.loader as Loader, `/repos/${repoId}/dora`, { repoId });
        expect(response.status).toBe(200);
        return doraResponseSchema.parse(await response.json());
      }),
    );
    expect(perRepository.every((body) => body.days === 90 && body.to === NOW.toISOString() && body.repository !== null)).toBe(true);
    const organization = await get(organizationDoraRoute.loader as Loader, "/dora");
    expect(organization.status).toBe(200);
    const body = doraResponseSchema.parse(await organization.json());
    expect(body).toMatchObject({ repository: null, repositories: repoIds.length });
    const sum = (pick: (body: typeof perRepository[number]) => number) => perRepository.reduce((total, one) => total + pick(one), 0);
    expect(body.deploymentFrequency.deployments).toBe(sum((one) => one.deploymentFrequency.deployments));
    expect(body.changeFailureRate.failed).toBe(sum((one) => one.changeFailureRate.failed));
    expect(body.aiSplit.aiHighRisk.deployments).toBe(sum((one) => one.aiSplit.aiHighRisk.deployments));
    expect(body.timeToRestore.resolved).toBe(sum((one) => one.timeToRestore.resolved));
  });

  it("takes ?days=7|30|90|365 and refuses anything else", async () => {
    const repoId = repoIds[0]!;
    const week = await get(repositoryDoraRoute.loader as Loader, `/repos/${repoId}/dora?days=7`, { repoId });
    expect(week.status).toBe(200);
    expect(await week.json()).toMatchObject({ days: 7, from: "2026-11-13T12:00:00.000Z", to: NOW.toISOString() });
    const bad = await get(organizationDoraRoute.loader as Loader, "/dora?days=14");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "invalid query parameters", fieldErrors: { days: "days is 7, 30, 90 or 365" } });
  });

  it("answers 404 for another organisation's repository and for a malformed id", async () => {
    expect((await get(repositoryDoraRoute.loader as Loader, `/repos/${foreignRepoId}/dora`, { repoId: foreignRepoId })).status).toBe(404);
    expect((await get(repositoryDoraRoute.loader as Loader, "/repos/nope/dora", { repoId: "nope" })).status).toBe(404);
  });
});
