import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeEvents, webhookDeliveries } from "../../infrastructure/db/schema/index.ts";
import { loadCorpusCommits } from "../../tests/fixtures/corpus.ts";
import {
  installationPayload,
  pullRequestPayload,
  pushPayload,
  signDelivery,
  webhookRequest,
} from "../../tests/fixtures/webhooks.ts";
import { processWebhookDelivery } from "../../application/ingestion/process-delivery.ts";
import { MAX_WEBHOOK_BYTES, signWebhookBody, verifyWebhookSignature } from "../../application/ingestion/webhook-receiver.ts";
import type { Services } from "../../application/services.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { action, loader } from "./api.webhooks.github.ts";

const SECRET = "route-test-secret";
const OWNER = { id: 9001, login: "octo-org" };
const REPO = { id: 70001, full_name: "octo-org/api", default_branch: "main" };

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

async function post(request: Request, withServices: Services = services): Promise<Response> {
  return action({ request, context: { services: withServices }, params: {} });
}

async function deliveryRows(deliveryId: string) {
  return database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
}

async function waitingJobs(): Promise<number> {
  const counts = await services.queue.counts("webhooks");
  return counts.waiting + counts.active + counts.delayed;
}

function ping() {
  return { zen: "Keep it logically awesome.", hook_id: 1, hook: { type: "App", id: 1, active: true, events: ["push"] } };
}

describe("POST /api/webhooks/github", () => {
  it("row 1: no signature header → 401, nothing stored or queued", async () => {
    const delivery = signDelivery(SECRET, "ping", ping());
    delete delivery.headers["x-hub-signature-256"];
    const before = await waitingJobs();
    const response = await post(webhookRequest(delivery));
    expect(response.status).toBe(401);
    expect(await deliveryRows(delivery.deliveryId)).toHaveLength(0);
    expect(await waitingJobs()).toBe(before);
  });

  it("row 2: wrong, truncated or malformed signatures → 401, never 500", async () => {
    const payload = installationPayload("created", 1, OWNER, []);
    const good = signDelivery(SECRET, "installation", payload);
    const variants = [
      signWebhookBody("another secret", good.body),
      good.headers["x-hub-signature-256"]!.slice(0, 40),
      `${good.headers["x-hub-signature-256"]!}00`,
      good.headers["x-hub-signature-256"]!.replace("sha256=", "sha1="),
      "sha256=",
      "sha256=zz",
      "",
      "sha256=\u00e9\u00e9",
    ];
    for (const signature of variants) {
      const response = await post(webhookRequest({ body: good.body, headers: { ...good.headers, "x-hub-signature-256": signature } }));
      expect(response.status, `signature ${JSON.stringify(signature)}`).toBe(401);
    }
    expect(await deliveryRows(good.deliveryId)).toHaveLength(0);
  });

  it("row 3: GitHub's test vector verifies", async () => {
    const body = new TextEncoder().encode("Hello, World!");
    const signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    expect(verifyWebhookSignature(["It's a Secret to Everybody"], body, signature)).toBe(true);
    expect(signWebhookBody("It's a Secret to Everybody", "Hello, World!")).toBe(signature);
    // Through the route: the signature passes (not 401); "Hello, World!" is then refused as JSON.
    const withVectorSecret = { ...services, env: { ...services.env, GITHUB_WEBHOOK_SECRET: "It's a Secret to Everybody" } };
    const response = await post(
      webhookRequest({ body, headers: { "x-hub-signature-256": signature, "x-github-event": "ping", "x-github-delivery": randomUUID() } }),
      withVectorSecret,
    );
    expect(response.status).toBe(400);
  });

  it("accepts deliveries signed with the previous secret during a rotation", async () => {
    const rotated = { ...services, env: { ...services.env, GITHUB_WEBHOOK_SECRET: "new-secret", GITHUB_WEBHOOK_SECRET_PREVIOUS: SECRET } };
    const delivery = signDelivery(SECRET, "ping", ping());
    expect((await post(webhookRequest(delivery), rotated)).status).toBe(200);
    const unknown = signDelivery("neither", "ping", ping());
    expect((await post(webhookRequest(unknown), rotated)).status).toBe(401);
  });

  it("row 4: a body re-serialised after signing is rejected (the raw bytes are what is signed)", async () => {
    const payload = installationPayload("created", 2, OWNER, [REPO]);
    const delivery = signDelivery(SECRET, "installation", payload);
    const reserialised = JSON.stringify(JSON.parse(delivery.body), null, 2);
    const response = await post(webhookRequest({ body: reserialised, headers: delivery.headers }));
    expect(response.status).toBe(401);
    expect(await deliveryRows(delivery.deliveryId)).toHaveLength(0);
  });

  it("row 5: multibyte and emoji bodies are accepted and stored intact", async () => {
    const [record] = loadCorpusCommits(1);
    const message = "🚀 naïve café — 日本語のコミット ✅\n\nCo-Authored-By: Claude <noreply@anthropic.com>";
    const payload = pushPayload({ installationId: 77, owner: OWNER, repo: REPO, records: [{ ...record!, commit: { ...record!.commit, message } }] });
    const delivery = signDelivery(SECRET, "push", payload);
    const response = await post(webhookRequest(delivery));
    expect(response.status).toBe(202);
    const [row] = await deliveryRows(delivery.deliveryId);
    expect((row!.payload as { commits: Array<{ message: string }> }).commits[0]!.message).toBe(message);
  });

  it("row 6: a body over 25 MB → 413 with a clear log line, by Content-Length or while reading", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const logged = { ...services, logger };
    const delivery = signDelivery(SECRET, "push", { big: true });
    const declared = await post(
      webhookRequest({ body: delivery.body, headers: { ...delivery.headers, "content-length": String(MAX_WEBHOOK_BYTES + 1) } }),
      logged,
    );
    expect(declared.status).toBe(413);

    // No Content-Length: a chunked body that keeps going past the limit.
    const chunk = new Uint8Array(1024 * 1024).fill(32);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_WEBHOOK_BYTES + chunk.byteLength) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const streamed = await post(
      new Request("http://localhost/api/webhooks/github", { method: "POST", headers: delivery.headers, body: stream, duplex: "half" } as RequestInit),
      logged,
    );
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(MAX_WEBHOOK_BYTES + 3 * chunk.byteLength);
    expect(lines.filter((line) => line.includes("25 MB limit"))).toHaveLength(2);
    expect(await deliveryRows(delivery.deliveryId)).toHaveLength(0);
  });

  it("row 7: unknown events and actions → 202, recorded as ignored (counted), no job", async () => {
    const before = await waitingJobs();
    const star = signDelivery(SECRET, "star", { action: "created", starred_at: "2026-01-01T00:00:00Z" });
    const labeled = signDelivery(
      SECRET,
      "pull_request",
      pullRequestPayload({ action: "labeled", installationId: 1, owner: OWNER, repo: REPO, number: 3, headRef: "x", headSha: "c".repeat(40) }),
    );
    for (const delivery of [star, labeled]) {
      const response = await post(webhookRequest(delivery));
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ ignored: true });
      const [row] = await deliveryRows(delivery.deliveryId);
      expect(row?.status).toBe("ignored");
    }
    const [counted] = await database.db.select({ n: sql<number>`count(*)::int` }).from(webhookDeliveries).where(eq(webhookDeliveries.status, "ignored"));
    expect(counted!.n).toBeGreaterThanOrEqual(2);
    expect(await waitingJobs()).toBe(before);
  });

  it("row 8: valid signature over broken JSON → 400, no row, no job", async () => {
    const before = await waitingJobs();
    for (const body of ['{"action": "created", "installation": ', "[1,2,3]", "null", "", "\u00ff\u00fe"]) {
      const delivery = signDelivery(SECRET, "installation", body);
      const response = await post(webhookRequest(delivery));
      expect(response.status, body).toBe(400);
      expect(await deliveryRows(delivery.deliveryId)).toHaveLength(0);
    }
    expect(await waitingJobs()).toBe(before);
  });

  it("missing X-GitHub-Event or X-GitHub-Delivery → 400; ping → 200; GET → 405", async () => {
    const delivery = signDelivery(SECRET, "ping", ping());
    const { "x-github-event": _event, ...withoutEvent } = delivery.headers;
    const { "x-github-delivery": _delivery, ...withoutDelivery } = delivery.headers;
    expect((await post(webhookRequest({ body: delivery.body, headers: withoutEvent }))).status).toBe(400);
    expect((await post(webhookRequest({ body: delivery.body, headers: withoutDelivery }))).status).toBe(400);
    const pong = await post(webhookRequest(delivery));
    expect(pong.status).toBe(200);
    expect((await loader()).status).toBe(405);
  });

  it("row 11: the same delivery twice → one event row, one job, and 200 {duplicate: true}", async () => {
    const installation = signDelivery(SECRET, "installation", installationPayload("created", 4242, OWNER, [REPO]));
    expect((await post(webhookRequest(installation))).status).toBe(202);
    await processWebhookDelivery(database.db, installation.deliveryId);

    const records = loadCorpusCommits(3);
    const push = signDelivery(SECRET, "push", pushPayload({ installationId: 4242, owner: OWNER, repo: REPO, records }));
    const before = await waitingJobs();
    const first = await post(webhookRequest(push));
    expect(first.status).toBe(202);
    const second = await post(webhookRequest(push));
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ duplicate: true });
    expect(await waitingJobs()).toBe(before + 1);
    expect(await deliveryRows(push.deliveryId)).toHaveLength(1);

    await processWebhookDelivery(database.db, push.deliveryId);
    await processWebhookDelivery(database.db, push.deliveryId);
    const events = await database.db.select({ key: codeEvents.eventKey }).from(codeEvents).where(eq(codeEvents.deliveryId, push.deliveryId));
    expect(events.map((event) => event.key).sort()).toEqual(records.map((record) => `commit/${record.sha}`).sort());
  });

  it("answers 503 within a second when the database is unreachable", async () => {
    const { connectPostgres } = await import("../../infrastructure/db/client.ts");
    const dead = connectPostgres("postgres://postgres@127.0.0.1:1/none", { applicationName: "dead", max: 1 });
    const broken = { ...services, db: dead.db, database: dead };
    const delivery = signDelivery(SECRET, "push", pushPayload({ installationId: 4242, owner: OWNER, repo: REPO, records: loadCorpusCommits(1) }));
    const started = performance.now();
    const response = await post(webhookRequest(delivery), broken);
    expect(response.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(1000);
    await dead.close();
  });
});
