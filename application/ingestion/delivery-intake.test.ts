import { randomUUID } from "node:crypto";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookDeliveries } from "../../infrastructure/db/schema/index.ts";
import { installationPayload, pushPayload, signDelivery, webhookRequest } from "../../tests/fixtures/webhooks.ts";
import type { Services } from "../services.ts";
import { loadCorpusCommits } from "../../tests/fixtures/corpus.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import type postgres from "postgres";
import { createDeliveryIntake, IntakeDeadlineError } from "./delivery-intake.ts";
import { handleGitHubWebhook } from "../../app/webhooks/github-webhook.server.ts";

/**
 * The webhook route's group commit (delivery-intake.ts): many deliveries in flight at once share one INSERT and one
 * Redis round trip, yet each request gets the answer it would have got alone.
 */

const SECRET = "intake-secret";
const OWNER = { id: 5501, login: "intake-org" };
const REPO = { id: 5502, full_name: "intake-org/app", default_branch: "main" };

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { queue: "bullmq", env: { GITHUB_WEBHOOK_SECRET: SECRET } }));
});

afterAll(async () => {
  await close?.();
  await database?.drop();
});

function push(deliveryId: string, message = "Change") {
  const [record] = loadCorpusCommits(1);
  const payload = pushPayload({ installationId: 5501, owner: OWNER, repo: REPO, records: [{ ...record!, commit: { ...record!.commit, message } }] });
  return signDelivery(SECRET, "push", JSON.stringify(payload), deliveryId);
}

async function rowsFor(ids: string[]) {
  return database.db
    .select({ deliveryId: webhookDeliveries.deliveryId, status: webhookDeliveries.status })
    .from(webhookDeliveries)
    .where(inArray(webhookDeliveries.deliveryId, ids));
}

describe("webhook deliveries arriving together", () => {
  it("a burst of 300 distinct pushes: every one answered 202, one row and one job each", async () => {
    const ids = Array.from({ length: 300 }, () => randomUUID());
    const before = (await services.queue.counts("webhooks")).waiting;
    const responses = await Promise.all(ids.map((id) => handleGitHubWebhook(webhookRequest(push(id)), services)));

    expect(responses.map((response) => response.status)).toEqual(ids.map(() => 202));
    const rows = await rowsFor(ids);
    expect(rows).toHaveLength(300);
    expect(new Set(rows.map((row) => row.status))).toEqual(new Set(["queued"]));
    expect((await services.queue.counts("webhooks")).waiting).toBe(before + 300);
  });

  it("the same delivery id several times in one burst: one 202, the rest 200 duplicate, one row, one job", async () => {
    const id = randomUUID();
    const before = (await services.queue.counts("webhooks")).waiting;
    const responses = await Promise.all(Array.from({ length: 5 }, () => handleGitHubWebhook(webhookRequest(push(id)), services)));
    const bodies = await Promise.all(responses.map((response) => response.json() as Promise<Record<string, unknown>>));

    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 200, 202]);
    expect(bodies.filter((body) => body.duplicate === true)).toHaveLength(4);
    expect(await rowsFor([id])).toHaveLength(1);
    expect((await services.queue.counts("webhooks")).waiting).toBe(before + 1);
  });

  it("a payload PostgreSQL refuses fails alone (400); its neighbours in the batch are recorded", async () => {
    const good = Array.from({ length: 20 }, () => randomUUID());
    const bad = randomUUID();
    // A lone surrogate escape is valid JSON but jsonb refuses it: a data exception for this row only.
    const badDelivery = push(bad, "broken \\ud800 text");
    const badBody = JSON.stringify(JSON.parse(badDelivery.body)).replace("broken \\\\ud800 text", "broken \\ud800 text");
    const responses = await Promise.all([
      ...good.map((id) => handleGitHubWebhook(webhookRequest(push(id)), services)),
      handleGitHubWebhook(webhookRequest(signDelivery(SECRET, "push", badBody, bad)), services),
    ]);

    expect(responses.slice(0, 20).map((response) => response.status)).toEqual(good.map(() => 202));
    expect(responses[20]!.status).toBe(400);
    expect(await rowsFor(good)).toHaveLength(20);
    expect(await rowsFor([bad])).toHaveLength(0);
  });

  it("ignored events and pings in a burst of pushes are recorded as ignored without jobs", async () => {
    const pushes = Array.from({ length: 10 }, () => randomUUID());
    const ping = randomUUID();
    const installation = randomUUID();
    const before = (await services.queue.counts("webhooks")).waiting;
    const responses = await Promise.all([
      ...pushes.map((id) => handleGitHubWebhook(webhookRequest(push(id)), services)),
      handleGitHubWebhook(webhookRequest(signDelivery(SECRET, "ping", JSON.stringify({ zen: "Keep it simple.", hook_id: 1 }), ping)), services),
      handleGitHubWebhook(webhookRequest(signDelivery(SECRET, "star", JSON.stringify({ action: "created" }), randomUUID())), services),
      handleGitHubWebhook(webhookRequest(signDelivery(SECRET, "installation", installationPayload("created", 5501, OWNER, [REPO]), installation)), services),
    ]);

    expect(responses.map((response) => response.status)).toEqual([...pushes.map(() => 202), 200, 202, 202]);
    const statuses = Object.fromEntries((await rowsFor([ping, installation])).map((row) => [row.deliveryId, row.status]));
    expect(statuses).toEqual({ [ping]: "ignored", [installation]: "queued" });
    // Ten pushes and the installation are queued; the ping and the star are not.
    expect((await services.queue.counts("webhooks")).waiting).toBe(before + 11);
  });
});

describe("a database that does not answer", () => {
  it("every delivery waiting on it, in a batch or behind the batches in flight, is given up within its budget", async () => {
    // A PostgreSQL that accepts the query and never answers (a network partition, a lock wait): only the deadline ends it.
    const hanging = (() => new Promise<never>(() => {})) as unknown as postgres.Sql;
    const intake = createDeliveryIntake(hanging, services.queue, { budgetMs: 150 });
    const started = performance.now();
    // More than the batches in flight take, so some wait behind them.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, index) =>
        intake.record({ deliveryId: `hang-${index}`, event: "push", action: null, installationId: null, payloadText: "{}" }),
      ),
    );
    const took = performance.now() - started;
    expect(outcomes.every((outcome) => outcome.status === "rejected" && outcome.reason instanceof IntakeDeadlineError)).toBe(true);
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(400);
  });
});
