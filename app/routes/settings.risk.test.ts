import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planWebhookIngestion } from "../../domain/ingestion/webhook-plan.ts";
import { codeAttribution, organizationMembers, repositories, users } from "../../infrastructure/db/schema/index.ts";
import type { GitHubCommitRecord } from "../../tests/fixtures/corpus.ts";
import { installationPayload, pushPayload } from "../../tests/fixtures/webhooks.ts";
import { analyzeStoredCommit } from "../../application/analysis/analyze-stored-commit.ts";
import { applyWebhookPlan } from "../../application/ingestion/apply-webhook-plan.ts";
import type { Services } from "../../application/services.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import * as riskPage from "./settings.risk.tsx";

/**
 * Issue #16: a risk path pattern saved by one organisation runs in the analysis worker every organisation shares.
 * With the old hand-written glob translation this pattern took 15.8 s against one 87-character path.
 */
const STALLING_PATTERN = "**?**?**?**?**?**q";
const STALLED_PATH = `src/${"a".repeat(60)}/components/widgets/button.tsx`.slice(0, 87);
const REFUSAL = 'use at most one * per folder level ("**?**?**?**?**?**q" has 6); e.g. *.{ts,tsx} rather than *.ts*';

const OWNER = { id: 91601, login: "risk-org" };
const REPO = { id: 91602, full_name: "risk-org/app", default_branch: "main" };
const INSTALLATION = 9161;

type RouteHandler = (args: { request: Request; params: Record<string, string>; context: { services: Services } }) => unknown;
type RiskPage = { repositories: { id: string; riskOverrides: { pattern: string; tier: number; problem?: string }[] }[] };

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let ownerCookie: string;
let repoId: string;

async function run(handler: RouteHandler, path: string, form?: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const request = new Request(`http://sentinel.test${path}`, {
    method: form ? "POST" : "GET",
    headers: new Headers({ Cookie: ownerCookie }),
    body: form ? new URLSearchParams(form) : undefined,
  });
  const unwrap = (value: unknown, fallbackStatus: number) => {
    if (value instanceof Response) return { status: value.status, body: null };
    // `data(value, init)` from a loader or action.
    if (value && typeof value === "object" && "type" in value && (value as { type: string }).type === "DataWithResponseInit") {
      const wrapped = value as unknown as { data: unknown; init: ResponseInit | null };
      return { status: wrapped.init?.status ?? fallbackStatus, body: wrapped.data };
    }
    return { status: fallbackStatus, body: value };
  };
  try {
    return unwrap(await handler({ request, params: {}, context: { services } }), 200);
  } catch (thrown) {
    if (thrown instanceof Response || (thrown && typeof thrown === "object" && "type" in thrown)) return unwrap(thrown, 500);
    throw thrown;
  }
}

async function storedOverrides() {
  const [row] = await database.db.select({ riskOverrides: repositories.riskOverrides }).from(repositories).where(eq(repositories.id, repoId));
  return row!.riskOverrides;
}

async function apply(event: string, payload: unknown) {
  const deliveryId = randomUUID();
  return applyWebhookPlan(database.db, planWebhookIngestion(event, payload, deliveryId), deliveryId);
}

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database));
  await apply("installation", installationPayload("created", INSTALLATION, OWNER, [REPO]));
  const [repo] = await database.db.select({ id: repositories.id, orgId: repositories.orgId }).from(repositories).where(eq(repositories.githubId, REPO.id));
  repoId = repo!.id;
  const [owner] = await database.db.insert(users).values({ login: "alice", githubId: 1001 }).returning({ id: users.id });
  await database.db.insert(organizationMembers).values({ orgId: repo!.orgId, userId: owner!.id, role: "owner" });
  const session = await services.sessionStorage.getSession();
  session.set("userId", owner!.id);
  session.set("orgId", repo!.orgId);
  ownerCookie = (await services.sessionStorage.commitSession(session)).split(";")[0]!;
});

afterAll(async () => {
  await close?.();
  await database?.drop();
});

describe("risk path settings refuse patterns that cannot be matched in bounded time", () => {
  it("answers the stalling pattern from issue #16 with a 400 naming the pattern field, and saves nothing", async () => {
    expect((await run(riskPage.action, "/settings/risk", { intent: "add", repoId, pattern: "src/billing/**", tier: "3" })).status).toBe(302);

    const refused = await run(riskPage.action, "/settings/risk", { intent: "add", repoId, pattern: STALLING_PATTERN, tier: "1" });

    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ repoId, pattern: STALLING_PATTERN, fieldErrors: { pattern: REFUSAL } });
    expect(await storedOverrides()).toEqual([{ pattern: "src/billing/**", tier: 3 }]);
  });

  it("refuses a pattern over 200 characters and one with two ** levels, each with its own message", async () => {
    const long = await run(riskPage.action, "/settings/risk", { intent: "add", repoId, pattern: `src/${"a".repeat(200)}`, tier: "1" });
    expect((long.body as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({ pattern: "keep the pattern to 200 characters or fewer" });
    const twice = await run(riskPage.action, "/settings/risk", { intent: "add", repoId, pattern: "**/a/**/b", tier: "1" });
    expect((twice.body as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({ pattern: "use ** at most once, apart from a trailing /**" });
    expect(await storedOverrides()).toEqual([{ pattern: "src/billing/**", tier: 3 }]);
  });
});

describe("a pattern stored before the limits", () => {
  it("is shown as not applied on the settings page, and analysis skips it instead of running it", async () => {
    // As saved by an earlier version, which accepted any pattern.
    await database.db
      .update(repositories)
      .set({
        riskOverrides: [
          { pattern: STALLING_PATTERN, tier: 1 },
          { pattern: "src/**", tier: 4 },
        ],
      })
      .where(eq(repositories.id, repoId));

    const page = await run(riskPage.loader, "/settings/risk");
    expect((page.body as RiskPage).repositories.find((repo) => repo.id === repoId)!.riskOverrides).toEqual([
      { pattern: STALLING_PATTERN, tier: 1, problem: REFUSAL },
      { pattern: "src/**", tier: 4 },
    ]);

    const record: GitHubCommitRecord = {
      sha: "5eed16005eed16005eed16005eed16005eed1600",
      parents: [{ sha: "0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a" }],
      commit: {
        author: { name: "Dana Smith", email: "dana@example.org", date: "2026-06-01T10:00:00Z" },
        committer: { name: "Dana Smith", email: "dana@example.org", date: "2026-06-01T10:00:00Z" },
        message: "Add the widget button",
      },
      author: { login: "dana" },
      files: [{ filename: STALLED_PATH, status: "added", additions: 3, deletions: 0, changes: 3, patch: "@@ -0,0 +1,3 @@\n+export function Button() {\n+  return null;\n+}" }],
    };
    await apply("push", pushPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, records: [record] }));

    const started = performance.now();
    const outcome = await analyzeStoredCommit(database.db, async () => ({ getCommit: async () => record }), { repoId, sha: record.sha });
    const elapsed = performance.now() - started;

    expect(outcome).toMatchObject({ status: "analyzed", files: 1 });
    expect(elapsed).toBeLessThan(5_000);
    const [file] = await database.db
      .select({ baseRiskTier: codeAttribution.baseRiskTier, riskReasons: codeAttribution.riskReasons })
      .from(codeAttribution)
      .where(and(eq(codeAttribution.repoId, repoId), eq(codeAttribution.filePath, STALLED_PATH)));
    expect(file).toMatchObject({ baseRiskTier: 4, riskReasons: expect.arrayContaining(['T4 Critical: repository override "src/**"']) });
  });
});
