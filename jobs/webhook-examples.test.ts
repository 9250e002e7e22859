import { createRequire } from "node:module";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installationPayload, signDelivery, type FixtureRepository } from "../tests/fixtures/webhooks.ts";
import { waitFor } from "../tests/support/queue.ts";
import { createRequestListener, loadRemixBuild } from "../server/http-server.ts";
import type { Services } from "../application/services.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import { startRecordingWorkers } from "../tests/support/recording-workers.ts";

/**
 * Every example payload of @octokit/webhooks-examples (github.com and each GitHub Enterprise Server version it ships),
 * correctly signed and posted to the web server's webhook route, then processed by the production webhook worker on
 * BullMQ and PostgreSQL: GitHub sends all of these shapes, so none may be refused, and none may leave its delivery
 * failed or stuck — what Sentinel does not use is ignored.
 */

const SECRET = "examples-secret";
const EXAMPLE_SETS = ["api.github.com", "ghes-31", "ghes-32", "ghes-33", "ghes-34", "ghes-35"];

interface Example {
  set: string;
  event: string;
  payload: Record<string, unknown>;
}

function loadExamples(): Example[] {
  const require = createRequire(import.meta.url);
  return EXAMPLE_SETS.flatMap((set) =>
    (require(`@octokit/webhooks-examples/${set}/index.json`) as Array<{ name: string; examples: Record<string, unknown>[] }>).flatMap(({ name, examples }) =>
      examples.map((payload) => ({ set, event: name, payload })),
    ),
  );
}

interface RepositoryShape {
  id: number;
  full_name: string;
  default_branch?: string;
  owner?: { id: number; login: string; type?: string };
}

/** The installations the examples' repository events name, with their repositories: installed first, so those events are applied, not skipped. */
function installationsOf(examples: Example[]): Map<number, { owner: RepositoryShape["owner"] & {}; repos: Map<number, FixtureRepository> }> {
  const installations = new Map<number, { owner: RepositoryShape["owner"] & {}; repos: Map<number, FixtureRepository> }>();
  for (const { payload } of examples) {
    const installation = payload.installation as { id?: unknown } | undefined;
    const repository = payload.repository as RepositoryShape | undefined;
    if (typeof installation?.id !== "number" || !repository?.owner) continue;
    const entry = installations.get(installation.id) ?? { owner: repository.owner, repos: new Map() };
    entry.repos.set(repository.id, { id: repository.id, full_name: repository.full_name, default_branch: repository.default_branch ?? "main" });
    installations.set(installation.id, entry);
  }
  return installations;
}

function installationIdOf(example: Example): number | null {
  const id = (example.payload.installation as { id?: unknown } | undefined)?.id;
  return typeof id === "number" ? id : null;
}

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let server: http.Server;
let base: string;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { queue: "bullmq", env: { GITHUB_WEBHOOK_SECRET: SECRET, GITHUB_BACKFILL_DAYS: "0" } }));
  // Only the webhook queue: the analyses a push queues would fetch commits from GitHub, which this test is not about.
  await startRecordingWorkers(services, null, { queues: ["webhooks"], concurrency: 1 });
  server = http.createServer(createRequestListener(services, await loadRemixBuild()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await close?.();
  await database?.drop();
});

async function post(event: string, payload: unknown): Promise<{ deliveryId: string; status: number; body: unknown }> {
  const delivery = signDelivery(SECRET, event, payload);
  const response = await fetch(`${base}/api/webhooks/github`, { method: "POST", headers: delivery.headers, body: delivery.body });
  return { deliveryId: delivery.deliveryId, status: response.status, body: await response.json() };
}

describe("@octokit/webhooks-examples replayed through the signed route and the webhook worker", () => {
  it("every correctly signed example is acknowledged (2xx) and its delivery ends processed or ignored", async () => {
    const examples = loadExamples();
    const events = new Set(examples.map((example) => example.event));

    // The installations the examples' repository events come from, as GitHub would have announced them.
    const primed = installationsOf(examples);
    for (const [installationId, { owner, repos }] of primed) {
      const { status } = await post("installation", installationPayload("created", installationId, { id: owner.id, login: owner.login, type: owner.type === "User" ? "User" : "Organization" }, [...repos.values()]));
      expect(status).toBe(202);
    }

    // One at a time, in the package's order, and one job at a time in the worker: an installation's creation is
    // applied before its repositories' events, as GitHub orders them.
    const refused: string[] = [];
    const sent: Array<Example & { deliveryId: string; label: string }> = [];
    for (const [index, example] of examples.entries()) {
      const label = `${example.set} ${example.event}#${index} (${String(example.payload.action ?? "no action")})`;
      const answer = await post(example.event, example.payload);
      sent.push({ ...example, deliveryId: answer.deliveryId, label });
      if (answer.status >= 400) refused.push(`${label}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    expect(refused).toEqual([]);

    const statuses = async () =>
      (await database.db.execute<{ delivery_id: string; event: string; status: string; error: string | null }>(
        sql`select delivery_id, event, status, error from webhook_deliveries`,
      )) as unknown as Array<{ delivery_id: string; event: string; status: string; error: string | null }>;
    const settled = await waitFor(
      async () => {
        const rows = await statuses();
        return rows.length >= sent.length && rows.every((row) => row.status !== "queued") ? rows : null;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: "every delivery processed or ignored" },
    );

    const byId = new Map(sent.map((entry) => [entry.deliveryId, entry.label]));
    const unsettled = settled.filter((row) => row.status !== "processed" && row.status !== "ignored").map((row) => `${byId.get(row.delivery_id) ?? row.event}: ${row.status} ${row.error}`);
    expect(unsettled).toEqual([]);
    for (const entry of sent) expect(settled.some((row) => row.delivery_id === entry.deliveryId), entry.label).toBe(true);

    // A delivery that names no installation, or one Sentinel does not know, is skipped: it cannot be tied to a tenant.
    const known = new Set([...primed.keys(), ...examples.filter((example) => example.event === "installation" && example.payload.action === "created").map(installationIdOf)]);
    const status = new Map(settled.map((row) => [row.delivery_id, row.status]));
    const strangers = sent.filter((entry) => !known.has(installationIdOf(entry)));
    expect(strangers.filter((entry) => installationIdOf(entry) === null).length).toBeGreaterThan(0);
    expect(strangers.filter((entry) => installationIdOf(entry) !== null).length).toBeGreaterThan(0);
    expect(strangers.filter((entry) => status.get(entry.deliveryId) !== "ignored").map((entry) => entry.label)).toEqual([]);

    // The events Sentinel uses went through the planner and the writes, not only the ignore path.
    const processed = new Set(settled.filter((row) => row.status === "processed").map((row) => row.event));
    for (const event of ["installation", "installation_repositories", "push", "pull_request", "pull_request_review", "deployment", "deployment_status"]) {
      expect(processed, event).toContain(event);
    }
    const counts = settled.reduce<Record<string, number>>((tally, row) => ({ ...tally, [row.status]: (tally[row.status] ?? 0) + 1 }), {});
    process.stdout.write(`replayed ${examples.length} examples of ${events.size} events (${EXAMPLE_SETS.join(", ")}); deliveries: ${JSON.stringify(counts)}\n`);
  }, 120_000);
});
