import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { codeEvents, commits, deployments, pullRequests, webhookDeliveries } from "../../infrastructure/db/schema/index.ts";
import { loadCorpusCommits } from "../../tests/fixtures/corpus.ts";
import {
  deploymentPayload,
  deploymentStatusPayload,
  installationPayload,
  pullRequestPayload,
  pullRequestReviewPayload,
  pushPayload,
  signDelivery,
  webhookRequest,
} from "../../tests/fixtures/webhooks.ts";
import type { Services } from "../../application/services.ts";
import { handleGitHubWebhook } from "./github-webhook.server.ts";
import { signWebhookBody } from "../../application/ingestion/webhook-receiver.ts";
import { processWebhookDelivery } from "../../application/ingestion/process-delivery.ts";

/**
 * Catalogue row 10: real payloads (push, pull_request, pull_request_review, deployment, deployment_status,
 * installation), mutated (values replaced, keys deleted, bytes truncated or flipped) and then
 * correctly signed, so every layer behind the signature sees hostile input. The route never answers 500, and
 * processing leaves either the whole delivery applied or nothing of it.
 */

const SECRET = "fuzz-secret";
const OWNER = { id: 31337, login: "fuzz-org" };
const REPO = { id: 880001, full_name: "fuzz-org/app", default_branch: "main" };
const INSTALLATION = 5150;

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { queue: "in-process", env: { GITHUB_WEBHOOK_SECRET: SECRET } }));
  const install = signDelivery(SECRET, "installation", installationPayload("created", INSTALLATION, OWNER, [REPO]));
  expect((await handleGitHubWebhook(webhookRequest(install), services)).status).toBe(202);
  await processWebhookDelivery(database.db, install.deliveryId);
});

afterAll(async () => {
  await close?.();
  await database?.drop();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      out.push(path);
      paths(child as Json, path, out);
    }
  }
  return out;
}

function mutate(root: Json, path: (string | number)[], change: { kind: "set"; value: Json } | { kind: "delete" }): Json {
  const copy = structuredClone(root);
  let node: Json = copy;
  for (const key of path.slice(0, -1)) node = (node as Record<string, Json>)[key as string] as Json;
  const last = path.at(-1)!;
  if (change.kind === "set") (node as Record<string, Json>)[last as string] = change.value;
  else if (Array.isArray(node)) node.splice(last as number, 1);
  else delete (node as Record<string, Json>)[last as string];
  return copy;
}

const records = () => loadCorpusCommits(40);

function seeds(): Array<{ event: string; payload: Json }> {
  const corpus = records();
  return [
    { event: "push", payload: pushPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, records: corpus.slice(0, 4) }) as unknown as Json },
    {
      event: "pull_request",
      payload: pullRequestPayload({
        action: "opened",
        installationId: INSTALLATION,
        owner: OWNER,
        repo: REPO,
        number: 12,
        headRef: "claude/fix-login",
        headSha: corpus[0]!.sha,
        body: "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
      }) as unknown as Json,
    },
    { event: "installation_repositories", payload: installationPayload("created", INSTALLATION, OWNER, [REPO]) as unknown as Json },
    {
      event: "pull_request_review",
      payload: pullRequestReviewPayload({
        installationId: INSTALLATION,
        owner: OWNER,
        repo: REPO,
        number: 12,
        headRef: "claude/fix-login",
        headSha: corpus[0]!.sha,
        reviewId: 9_001,
        reviewer: { id: 4_242, login: "reviewer" },
        state: "changes_requested",
        submittedAt: "2026-03-01T13:00:00Z",
      }) as unknown as Json,
    },
    {
      event: "deployment",
      payload: deploymentPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, deploymentId: 77_001, sha: corpus[1]!.sha, createdAt: "2026-03-02T09:00:00Z" }) as unknown as Json,
    },
    {
      event: "deployment_status",
      payload: deploymentStatusPayload({
        installationId: INSTALLATION,
        owner: OWNER,
        repo: REPO,
        deploymentId: 77_001,
        statusId: 88_001,
        sha: corpus[1]!.sha,
        createdAt: "2026-03-02T09:00:00Z",
        state: "failure",
        at: "2026-03-02T09:05:00Z",
      }) as unknown as Json,
    },
  ];
}

const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
);

describe("mutated real payloads (catalogue row 10)", () => {
  it("never answer 500 and never leave a partial row", async () => {
    const base = seeds();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: base.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.boolean(), async (which, mutations, renameEvent) => {
        const seed = base[which]!;
        let payload = seed.payload;
        let bytes: Buffer | null = null;
        for (const mutation of mutations) {
          if (mutation.kind === "set" || mutation.kind === "delete") {
            const all = paths(payload);
            if (all.length === 0) continue;
            payload = mutate(payload, all[mutation.at % all.length]!, mutation.kind === "set" ? { kind: "set", value: mutation.value } : { kind: "delete" });
          } else {
            bytes ??= Buffer.from(JSON.stringify(payload));
            if (mutation.kind === "truncate") bytes = bytes.subarray(0, mutation.at % (bytes.length + 1));
            else if (bytes.length > 0) bytes[mutation.at % bytes.length] = mutation.byte;
          }
        }
        const event = renameEvent && seed.event === "installation_repositories" ? "installation" : seed.event;
        const body = bytes ?? Buffer.from(JSON.stringify(payload));
        const delivery = { deliveryId: randomUUID() };
        const signed = signDelivery(SECRET, event, "", delivery.deliveryId);
        signed.headers["x-hub-signature-256"] = signWebhookBody(SECRET, body);
        const response = await handleGitHubWebhook(webhookRequest({ body: new Uint8Array(body), headers: signed.headers }), services);
        expect([200, 202, 400]).toContain(response.status);

        const [row] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, delivery.deliveryId));
        if (response.status === 400) {
          expect(row).toBeUndefined();
          return;
        }
        expect(row).toBeDefined();
        let threw = false;
        try {
          await processWebhookDelivery(database.db, delivery.deliveryId);
        } catch (error) {
          threw = true;
          if (process.env.FUZZ_DEBUG) process.stdout.write(`processing threw: ${(error as Error).message.slice(0, 300)}\n`);
        }
        const [after] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, delivery.deliveryId));
        const events = await database.db.select({ id: codeEvents.id }).from(codeEvents).where(eq(codeEvents.deliveryId, delivery.deliveryId));
        if (threw) {
          // The transaction rolled back: the delivery is still queued for a retry and nothing of it was written.
          expect(after!.status).toBe("queued");
          expect(events).toHaveLength(0);
        } else {
          expect(["processed", "ignored", "failed"]).toContain(after!.status);
          if (after!.status !== "processed") expect(events).toHaveLength(0);
        }
      }),
      { numRuns: 300, seed: 4242 },
    );
    // Whatever was written is whole: every commit event has its commit row.
    const orphans = await database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from ${codeEvents} e where e.type = 'commit'
          and not exists (select 1 from ${commits} c where c.repo_id = e.repo_id and c.sha = e.commit_sha)`,
    );
    expect(orphans[0]!.n).toBe(0);
    // A deployment row comes with the event of the delivery that wrote it, and a review or deployment event with its row.
    const deploymentsWithoutEvent = await database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from ${deployments} d where not exists (
            select 1 from ${codeEvents} e where e.repo_id = d.repo_id and e.type in ('deployment', 'deployment_status')
            and (e.event_key = 'deployment/' || d.github_id or e.event_key like 'deployment/' || d.github_id || '/status/%'))`,
    );
    expect(deploymentsWithoutEvent[0]!.n).toBe(0);
    const deploymentEventsWithoutRow = await database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from ${codeEvents} e where e.type in ('deployment', 'deployment_status') and not exists (
            select 1 from ${deployments} d where d.repo_id = e.repo_id and split_part(e.event_key, '/', 2) = d.github_id::text)`,
    );
    expect(deploymentEventsWithoutRow[0]!.n).toBe(0);
    const reviewsWithoutPullRequest = await database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from ${codeEvents} e where e.type = 'pr_review' and not exists (
            select 1 from ${pullRequests} p where p.repo_id = e.repo_id and p.number = e.pr_number)`,
    );
    expect(reviewsWithoutPullRequest[0]!.n).toBe(0);
    // The mutations left some deliveries of every event whole: the new seeds are exercised, not just parsed and refused.
    const written = await database.db.execute<{ type: string }>(sql`select distinct type from ${codeEvents}`);
    expect(written.map((row) => row.type)).toEqual(expect.arrayContaining(["pr_review", "deployment", "deployment_status"]));
  }, 120_000);
});

describe("values the planner accepts but PostgreSQL refuses", () => {
  it("settle the delivery as failed (no retry loop), with nothing written", async () => {
    const payload = pullRequestPayload({ action: "opened", installationId: INSTALLATION, owner: OWNER, repo: REPO, number: 7, headRef: "x", headSha: "d".repeat(40) });
    (payload as { number: number }).number = 2 ** 40;
    payload.pull_request.number = 2 ** 40;
    const delivery = signDelivery(SECRET, "pull_request", payload);
    expect((await handleGitHubWebhook(webhookRequest(delivery), services)).status).toBe(202);
    const outcome = await processWebhookDelivery(database.db, delivery.deliveryId);
    expect(outcome.status).toBe("invalid");
    const [row] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, delivery.deliveryId));
    expect(row!.status).toBe("failed");
    expect(await database.db.select().from(codeEvents).where(eq(codeEvents.deliveryId, delivery.deliveryId))).toHaveLength(0);
  });
});
