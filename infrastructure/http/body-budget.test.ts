import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { loadCorpusCommits } from "../../tests/fixtures/corpus.ts";
import { pushPayload, signDelivery } from "../../tests/fixtures/webhooks.ts";
import { waitFor } from "../../tests/support/queue.ts";
import { createRequestListener, loadRemixBuild } from "../../server/http-server.ts";
import type { Services } from "../../application/services.ts";
import { createBodyBudget, SMALL_BODY_BYTES } from "./body-budget.ts";
import { fixedWebhookReceiverDeps, handleGitHubWebhook } from "../../app/webhooks/github-webhook.server.ts";

const MiB = 1024 * 1024;

describe("body budget", () => {
  it("a declared length is taken at once and given back on release; one that does not fit is refused", () => {
    const budget = createBodyBudget(40 * MiB);
    const first = budget.open(20 * MiB);
    expect(first).not.toBeNull();
    expect(budget.heldBytes()).toBe(20 * MiB);
    // Large bodies may fill three quarters (30 MiB): a second 20 MiB body waits for the first.
    expect(budget.open(20 * MiB)).toBeNull();
    expect(budget.heldBytes()).toBe(20 * MiB);
    first!.release();
    first!.release();
    expect(budget.heldBytes()).toBe(0);
    expect(budget.open(20 * MiB)).not.toBeNull();
  });

  it("the last quarter stays for small bodies: a pile of large ones cannot refuse them", () => {
    const budget = createBodyBudget(40 * MiB);
    const large = budget.open(30 * MiB)!;
    expect(budget.open(2 * MiB)).toBeNull();
    const small = Array.from({ length: 10 }, () => budget.open(SMALL_BODY_BYTES));
    expect(small.every((claim) => claim !== null)).toBe(true);
    expect(budget.heldBytes()).toBe(40 * MiB);
    expect(budget.open(1)).toBeNull();
    large.release();
    for (const claim of small) claim!.release();
    expect(budget.heldBytes()).toBe(0);
  });

  it("a body without a declared length is counted as it arrives, and refused once it does not fit (a small one that grows large included)", () => {
    const budget = createBodyBudget(40 * MiB);
    const holder = budget.open(25 * MiB)!;
    const streamed = budget.open(null)!;
    expect(streamed.take(512 * 1024)).toBe(true);
    expect(budget.heldBytes()).toBe(25 * MiB + 512 * 1024);
    // Past 1 MiB it is a large body: 25 + 6 MiB would pass the 30 MiB large bodies may use.
    expect(streamed.take(5.5 * MiB)).toBe(false);
    expect(budget.heldBytes()).toBe(25 * MiB + 512 * 1024);
    streamed.release();
    expect(streamed.take(1)).toBe(false);
    holder.release();
    expect(budget.heldBytes()).toBe(0);
  });

  it("bytes within a declared length are not counted twice; bytes past it are", () => {
    const budget = createBodyBudget(40 * MiB);
    const claim = budget.open(1000)!;
    expect(claim.take(600)).toBe(true);
    expect(claim.take(400)).toBe(true);
    expect(budget.heldBytes()).toBe(1000);
    expect(claim.take(24)).toBe(true);
    expect(budget.heldBytes()).toBe(1024);
    claim.release();
    expect(budget.heldBytes()).toBe(0);
  });
});

/** Over real HTTP, through the web server's request listener, with a 40 MiB budget (30 MiB for large bodies). */
describe("body budget on POST /api/webhooks/github", () => {
  const SECRET = "budget-secret";
  let database: TestDatabase;
  let services: Services;
  let close: () => Promise<void>;
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ services, close } = await createTestServices(database, { queue: "bullmq", env: { GITHUB_WEBHOOK_SECRET: SECRET, SENTINEL_WEBHOOK_BUFFER_MB: "40" } }));
    server = http.createServer(createRequestListener(services, await loadRemixBuild()));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await close?.();
    await database?.drop();
  });

  const held = () => fixedWebhookReceiverDeps(services)!.bodyBudget.heldBytes();

  /** A post that declares `declared` bytes, sends `sent` of them and holds the connection open. */
  function holdingPost(declared: number, sent: number) {
    const request = http.request({
      host: "127.0.0.1",
      port,
      path: "/api/webhooks/github",
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(declared), "x-github-event": "push", "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
    });
    const answered = new Promise<{ status: number; retryAfter?: string } | { error: string }>((resolve) => {
      request.on("response", (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0, retryAfter: response.headers["retry-after"] });
      });
      request.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    request.write(Buffer.alloc(sent, 32));
    return { request, answered };
  }

  async function signedPush() {
    const delivery = signDelivery(SECRET, "push", pushPayload({ installationId: 1, owner: { id: 1, login: "o" }, repo: { id: 2, full_name: "o/r" }, records: loadCorpusCommits(1) }));
    const response = await fetch(`http://127.0.0.1:${port}/api/webhooks/github`, { method: "POST", headers: delivery.headers, body: delivery.body });
    await response.body?.cancel();
    return response.status;
  }

  it("a body that does not fit is answered 503 with Retry-After at once; a small signed delivery still gets in; an aborted body gives its bytes back", async () => {
    const holder = holdingPost(20 * MiB, 2 * MiB);
    await waitFor(() => held() === 20 * MiB, { what: "the first body's 20 MiB held" });

    // 20 + 20 MiB would pass the 30 MiB large bodies may use: refused from its headers, before its body is read.
    const refused = holdingPost(20 * MiB, 64 * 1024);
    expect(await refused.answered).toEqual({ status: 503, retryAfter: "10" });
    expect(held()).toBe(20 * MiB);

    // An ordinary delivery fits beside it.
    expect(await signedPush()).toBe(202);

    // The client holding 20 MiB goes away mid-body: its share comes back, and a large body fits again.
    holder.request.destroy();
    await waitFor(() => held() === 0, { what: "the aborted body's bytes released" });
    const after = holdingPost(20 * MiB, 64 * 1024);
    await waitFor(() => held() === 20 * MiB, { what: "a large body admitted again" });
    after.request.destroy();
    await waitFor(() => held() === 0, { what: "released again" });
    refused.request.destroy();
  });

  it("the Remix route shares the budget: a body that does not fit beside a held one is answered 503 with Retry-After", async () => {
    const holder = holdingPost(20 * MiB, 1024);
    await waitFor(() => held() === 20 * MiB, { what: "20 MiB held" });
    const headers = { "content-type": "application/json", "content-length": String(20 * MiB), "x-github-event": "push", "x-hub-signature-256": `sha256=${"0".repeat(64)}` };
    const response = await handleGitHubWebhook(new Request(`http://127.0.0.1:${port}/api/webhooks/github`, { method: "POST", headers, body: "{}" }), services);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("10");
    expect(held()).toBe(20 * MiB);
    holder.request.destroy();
    await waitFor(() => held() === 0, { what: "released" });
  });

  it("a chunked body (no Content-Length) is refused 503 once it outgrows the budget, and its bytes are given back", async () => {
    const holder = holdingPost(25 * MiB, 1024);
    await waitFor(() => held() === 25 * MiB, { what: "25 MiB held" });
    const request = http.request({
      host: "127.0.0.1",
      port,
      path: "/api/webhooks/github",
      method: "POST",
      headers: { "content-type": "application/json", "transfer-encoding": "chunked", "x-github-event": "push", "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
    });
    let settled = false;
    const answered = new Promise<number | string>((resolve) => {
      request.on("response", (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    }).finally(() => (settled = true));
    // 25 MiB held + 6 MiB would pass 30 MiB; sent slowly so the answer reaches the client before its writes fail.
    const chunk = Buffer.alloc(256 * 1024, 32);
    for (let sent = 0; sent < 8 * MiB && !settled && !request.destroyed; sent += chunk.byteLength) {
      request.write(chunk);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await answered).toBe(503);
    expect(held()).toBe(25 * MiB);
    request.destroy();
    holder.request.destroy();
    await waitFor(() => held() === 0, { what: "every body released" });
  });
});
