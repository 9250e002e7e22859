import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { alerts, deployments, githubInstallations, incidents, organizations, repositories, webhookDeliveries } from "../../infrastructure/db/schema/index.ts";
import { resolveJobOrganizations } from "./failed-jobs.server.ts";

let database: TestDatabase;
let orgA: string;
let orgB: string;
let ids: { repoA: string; repoB: string; alertA: string; deploymentB: string; incidentA: string };

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  const [a, b] = await db
    .insert(organizations)
    .values([
      { slug: "acme", name: "Acme" },
      { slug: "globex", name: "Globex" },
    ])
    .returning({ id: organizations.id });
  orgA = a!.id;
  orgB = b!.id;
  const [repoA, repoB] = await db
    .insert(repositories)
    .values([
      { orgId: orgA, fullName: "acme/api", githubId: 1 },
      { orgId: orgB, fullName: "globex/secret", githubId: 2 },
    ])
    .returning({ id: repositories.id });
  const [alertA] = await db
    .insert(alerts)
    .values({ orgId: orgA, repoId: repoA!.id, rule: "ai_share_high", severity: "warning", title: "AI share high", triggeredAt: new Date() })
    .returning({ id: alerts.id });
  const [deploymentB] = await db
    .insert(deployments)
    .values({ orgId: orgB, repoId: repoB!.id, githubId: 7, sha: "abc1234", environment: "production", createdAt: new Date() })
    .returning({ id: deployments.id });
  const [incidentA] = await db
    .insert(incidents)
    .values({ orgId: orgA, repoId: repoA!.id, title: "Outage", severity: "sev2", startedAt: new Date() })
    .returning({ id: incidents.id });
  await db.insert(githubInstallations).values({ id: 99, orgId: orgB, accountId: 5, accountLogin: "globex", accountType: "Organization" });
  await db.insert(webhookDeliveries).values([
    { deliveryId: "delivery-b", event: "push", installationId: 99 },
    { deliveryId: "delivery-unknown-installation", event: "installation", installationId: 12345 },
  ]);
  ids = { repoA: repoA!.id, repoB: repoB!.id, alertA: alertA!.id, deploymentB: deploymentB!.id, incidentA: incidentA!.id };
});

afterAll(async () => {
  await database?.drop();
});

describe("resolveJobOrganizations", () => {
  it("finds the organisation of every job payload Sentinel queues, and none for ticks, unknown rows or junk", async () => {
    const jobs = [
      { data: { repoId: ids.repoA, sha: "abc1234" } }, // analyse-commit, backfill, metrics per repository
      { data: { repoId: ids.repoB, before: "a", after: "b" } }, // fetch-push-range
      { data: { alertId: ids.alertA, channelId: "00000000-0000-4000-8000-000000000000" } }, // deliver-alert
      { data: { deploymentId: ids.deploymentB } },
      { data: { incidentId: ids.incidentA } },
      { data: { orgId: orgB } }, // demo metrics
      { data: { deliveryId: "delivery-b" } }, // process-delivery
      { data: { deliveryId: "delivery-unknown-installation" } },
      { data: {} }, // hourly tick
      { data: { repoId: "not-a-uuid" } },
      { data: { repoId: "8c7e1a52-3b0f-4d39-9d6f-000000000000" } }, // repository deleted since
      { data: "a string" },
      { data: null },
    ];

    expect(await resolveJobOrganizations(database.db, jobs)).toEqual([orgA, orgB, orgA, orgB, orgA, orgB, orgB, null, null, null, null, null, null]);
  });
});
