import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobQueue } from "../../domain/ports.ts";
import { classifyDelivery } from "../../domain/ingestion/delivery-relevance.ts";
import { planWebhookIngestion } from "../../domain/ingestion/webhook-plan.ts";
import { githubInstallations, organizations, webhookDeliveries } from "../../infrastructure/db/schema/index.ts";
import { enqueueTeamsSyncAfterWebhook } from "../../jobs/teams.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { processWebhookDelivery } from "../ingestion/process-delivery.ts";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
}, 120_000);

afterAll(async () => {
  await database?.drop();
});

const membership = (installationId: number, action = "added") => ({
  action,
  scope: "team",
  member: { login: "octocat", id: 1 },
  team: { id: 5, slug: "web", name: "Web" },
  organization: { login: "acme", id: 9 },
  installation: { id: installationId },
});

describe("team webhooks", () => {
  it("are relevant for the actions that change who is in which team, and plan a teams sync", () => {
    expect(classifyDelivery("membership", "added")).toEqual({ relevant: true });
    expect(classifyDelivery("team", "edited")).toEqual({ relevant: true });
    expect(classifyDelivery("organization", "member_removed")).toEqual({ relevant: true });
    expect(classifyDelivery("organization", "member_invited").relevant).toBe(false);
    expect(classifyDelivery("team", "added_to_repository").relevant).toBe(false);
    expect(planWebhookIngestion("membership", membership(42), "d1")).toEqual({ kind: "teams_changed", installationId: 42, event: "membership" });
    expect(planWebhookIngestion("team", { ...membership(42), action: "added_to_repository" }, "d2").kind).toBe("ignored");
    // An organisation webhook (GitHub's own examples) names no installation: ignored, not failed.
    expect(planWebhookIngestion("team", { action: "created" }, "d3")).toEqual({ kind: "ignored", reason: "team delivery without an installation (not from the GitHub App)" });
    expect(() => planWebhookIngestion("team", { action: "created", installation: { id: "x" } }, "d4")).toThrow(/installation/);
  });

  it("name the installation's organisation for the worker, and a delivery for an unknown installation is ignored", async () => {
    const [org] = await database.db.insert(organizations).values({ slug: `acme-${randomUUID().slice(0, 8)}`, name: "acme" }).returning({ id: organizations.id });
    await database.db.insert(githubInstallations).values({ id: 88_001, orgId: org!.id, accountId: 9, accountLogin: "acme", accountType: "Organization" });
    const known = randomUUID();
    const unknown = randomUUID();
    await database.db.insert(webhookDeliveries).values([
      { deliveryId: known, event: "membership", payload: membership(88_001), status: "queued" },
      { deliveryId: unknown, event: "membership", payload: membership(88_999), status: "queued" },
    ]);
    expect(await processWebhookDelivery(database.db, known)).toMatchObject({ status: "processed", orgId: org!.id, syncTeams: true, commitsToAnalyze: [] });
    expect((await processWebhookDelivery(database.db, unknown)).status).toBe("ignored");
  });

  it("queue one sync per organisation and 5-minute window, run when the window closes", async () => {
    const queued: Array<{ jobId?: string; delayMs?: number }> = [];
    const seen = new Set<string>();
    const queue = {
      async enqueue(_queue: string, _name: string, _data: unknown, options: { jobId?: string; delayMs?: number } = {}) {
        const created = !seen.has(options.jobId!);
        seen.add(options.jobId!);
        if (created) queued.push(options);
        return { jobId: options.jobId!, created };
      },
    } as unknown as JobQueue;
    const orgId = randomUUID();
    await enqueueTeamsSyncAfterWebhook(queue, orgId, new Date("2026-12-07T10:01:00Z"));
    await enqueueTeamsSyncAfterWebhook(queue, orgId, new Date("2026-12-07T10:04:59Z"));
    await enqueueTeamsSyncAfterWebhook(queue, orgId, new Date("2026-12-07T10:05:00Z"));
    expect(queued).toHaveLength(2);
    expect(queued[0]!.delayMs).toBe(4 * 60_000);
    expect(queued[0]!.jobId).not.toContain(":");
  });
});
