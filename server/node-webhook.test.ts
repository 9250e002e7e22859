import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookDeliveries } from "../infrastructure/db/schema/index.ts";
import { loadCorpusCommits } from "../tests/fixtures/corpus.ts";
import { pushPayload, signDelivery } from "../tests/fixtures/webhooks.ts";
import { connectPostgres } from "../infrastructure/db/client.ts";
import { createRequestListener, loadRemixBuild } from "./http-server.ts";
import type { Services } from "../application/services.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import { MAX_WEBHOOK_BYTES } from "../application/ingestion/webhook-receiver.ts";

/**
 * The web server's own path for `POST /api/webhooks/github` (node-webhook.ts, ADR 021 and 023), over real HTTP through
 * the production request listener: the answers GitHub sees must be the Remix route's, byte for byte in meaning.
 */

const SECRET = "node-webhook-secret";
const OWNER = { id: 6601, login: "node-org" };
const REPO = { id: 6602, full_name: "node-org/app", default_branch: "main" };

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
const servers: http.Server[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { queue: "bullmq", env: { GITHUB_WEBHOOK_SECRET: SECRET } }));
});

afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await close?.();
  await database?.drop();
});

async function serve(withServices: Services = services): Promise<string> {
  const server = http.createServer(createRequestListener(withServices, await loadRemixBuild()));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function push() {
  return signDelivery(SECRET, "push", pushPayload({ installationId: 6601, owner: OWNER, repo: REPO, records: loadCorpusCommits(1) }));
}

async function post(base: string, delivery: { body: string; headers: Record<string, string> }) {
  const response = await fetch(`${base}/api/webhooks/github`, { method: "POST", headers: delivery.headers, body: delivery.body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function rows(deliveryId: string) {
  return database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
}

describe("POST /api/webhooks/github on the web server", () => {
  it("a signed push → 202, one row, one job; the same delivery again → 200 duplicate", async () => {
    const base = await serve();
    const delivery = push();
    const before = (await services.queue.counts("webhooks")).waiting;

    expect(await post(base, delivery)).toEqual({ status: 202, body: { ok: true, deliveryId: delivery.deliveryId } });
    expect(await post(base, delivery)).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    expect(await rows(delivery.deliveryId)).toHaveLength(1);
    expect((await services.queue.counts("webhooks")).waiting).toBe(before + 1);
  });

  it("refuses what the route refuses: no or wrong signature 401, broken JSON 400, missing delivery id 400 — nothing stored", async () => {
    const base = await serve();
    const unsigned = push();
    delete unsigned.headers["x-hub-signature-256"];
    const forged = push();
    forged.headers["x-hub-signature-256"] = `sha256=${"0".repeat(64)}`;
    const broken = signDelivery(SECRET, "push", "{not json");
    const anonymous = push();
    delete anonymous.headers["x-github-delivery"];

    expect((await post(base, unsigned)).status).toBe(401);
    expect((await post(base, forged)).status).toBe(401);
    expect(await post(base, broken)).toEqual({ status: 400, body: { error: "body is not valid JSON" } });
    expect(await post(base, anonymous)).toEqual({ status: 400, body: { error: "missing X-GitHub-Delivery" } });
    for (const delivery of [unsigned, forged, broken]) expect(await rows(delivery.deliveryId)).toHaveLength(0);
  });

  it("a body over 25 MB → 413 and the connection is closed, by Content-Length or while streaming, with a log line", async () => {
    // The log line is how the operator (and this test) knows the server refused the body, whatever the client saw.
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const base = new URL(await serve({ ...services, logger }));
    const delivery = push();

    const send = (headers: Record<string, string>, stream: boolean) =>
      new Promise<{ status?: number; connection?: string; reset?: string; sent: number }>((resolve) => {
        let sent = 0;
        let answered = false;
        const request = http.request({ host: base.hostname, port: base.port, path: "/api/webhooks/github", method: "POST", headers }, (response) => {
          answered = true;
          response.resume();
          response.on("end", () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, sent }));
        });
        // The server may close the connection while the client is still writing; then the client sees a reset
        // (EPIPE/ECONNRESET) instead of the 413 — as a client streaming past the limit should.
        request.on("error", (error: NodeJS.ErrnoException) => (answered ? undefined : resolve({ reset: error.code, sent })));
        const chunk = Buffer.alloc(1024 * 1024, 32);
        const write = () => {
          // Keep sending until the server answers (or far past the limit, which would be a failure).
          while (!answered && sent < 2 * MAX_WEBHOOK_BYTES) {
            sent += chunk.byteLength;
            if (!request.write(chunk)) return void request.once("drain", write);
          }
          request.end();
        };
        // A declared length over the limit is refused from the headers alone: send nothing more.
        if (stream) write();
        else request.flushHeaders();
      });

    const declared = await send({ ...delivery.headers, "content-length": String(MAX_WEBHOOK_BYTES + 1) }, false);
    expect(declared).toMatchObject({ status: 413, connection: "close" });

    const { "content-length": _, ...chunked } = delivery.headers;
    const streamed = await send({ ...chunked, "transfer-encoding": "chunked" }, true);
    if (streamed.reset === undefined) expect(streamed).toMatchObject({ status: 413, connection: "close" });
    else expect(["EPIPE", "ECONNRESET"]).toContain(streamed.reset);
    expect(streamed.sent).toBeLessThan(2 * MAX_WEBHOOK_BYTES);
    const refusals = lines.filter((line) => line.includes("25 MB limit")).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(refusals).toHaveLength(2);
    // Outside withLogContext, the receiver's own lines still carry the request's id.
    for (const refusal of refusals) expect(refusal.requestId).toEqual(expect.any(String));
    expect(await rows(delivery.deliveryId)).toHaveLength(0);
  });

  it("answers 503 within a second when the database is unreachable", async () => {
    const dead = connectPostgres("postgres://postgres@127.0.0.1:1/none", { applicationName: "dead", max: 1 });
    const base = await serve({ ...services, db: dead.db, database: { ...dead, close: dead.close } });
    const started = performance.now();
    const answer = await post(base, push());
    expect(answer).toEqual({ status: 503, body: { error: "temporarily unavailable" } });
    expect(performance.now() - started).toBeLessThan(1000);
    await dead.close();
  });

  it("every request is logged with its request id, webhooks included", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const base = await serve({ ...services, logger });
    const delivery = push();
    const response = await fetch(`${base}/api/webhooks/github`, { method: "POST", headers: delivery.headers, body: delivery.body });
    const requestId = response.headers.get("x-request-id");
    expect(response.status).toBe(202);
    expect(requestId).toBeTruthy();
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.requestId === requestId);
    expect(logged).toMatchObject({ method: "POST", path: "/api/webhooks/github", status: 202 });
  });

  it("a URL spelled otherwise (query string, trailing slash) goes through express to the same handler, logged alike", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const base = await serve({ ...services, logger });
    const first = push();
    const second = push();
    const viaQuery = await fetch(`${base}/api/webhooks/github?source=github`, { method: "POST", headers: first.headers, body: first.body });
    const viaSlash = await fetch(`${base}/api/webhooks/github/`, { method: "POST", headers: second.headers, body: second.body });
    expect([viaQuery.status, viaSlash.status]).toEqual([202, 202]);
    expect(await viaQuery.json()).toEqual({ ok: true, deliveryId: first.deliveryId });
    expect(await rows(second.deliveryId)).toHaveLength(1);
    const requestId = viaQuery.headers.get("x-request-id");
    expect(requestId).toBeTruthy();
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.requestId === requestId);
    expect(logged).toMatchObject({ method: "POST", path: "/api/webhooks/github", status: 202 });
  });

  it("a request id offered by a proxy is kept; an odd one is replaced", async () => {
    const base = await serve();
    const kept = push();
    const replaced = push();
    const keptAnswer = await fetch(`${base}/api/webhooks/github`, { method: "POST", headers: { ...kept.headers, "x-request-id": "proxy-1.2:3" }, body: kept.body });
    const replacedAnswer = await fetch(`${base}/api/webhooks/github`, {
      method: "POST",
      headers: { ...replaced.headers, "x-request-id": "has spaces" },
      body: replaced.body,
    });
    expect(keptAnswer.headers.get("x-request-id")).toBe("proxy-1.2:3");
    expect(replacedAnswer.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
