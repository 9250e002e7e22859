import { randomBytes } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import { loadRemixBuild, startHttpServer, type RunningHttpServer } from "./http-server.ts";
import { createRouteMatcher } from "./route-matcher.ts";
import type { Services } from "../application/services.ts";

/**
 * Issue 16, finding 4: every URL a client made up became a new latency series, kept until the process ends — 5,000
 * unauthenticated requests grew /metrics to 7.3 MB. Series are now labelled by the route that answered.
 */

const TOKEN = "scrape-token-0123456789";
let database: TestDatabase;
let services: Services;
let closeServices: () => Promise<void>;
let server: RunningHttpServer;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close: closeServices } = await createTestServices(database, {
    env: { PORT: "0", METRICS_TOKEN: TOKEN, RATE_LIMIT_API_ANONYMOUS_PER_MINUTE: "100000" },
  }));
  server = await startHttpServer(services, await loadRemixBuild());
});

afterAll(async () => {
  await server?.close();
  await closeServices?.();
  await database?.drop();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  return response.text();
}

function request(agent: http.Agent, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(`${server.url}${path}`, { method, agent }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

const random = () => randomBytes(6).toString("base64url");

/** URLs nobody routed — and ids in real routes, which used to become series too when they were not numbers or shas. */
const madeUpRequests: Array<() => [string, string]> = [
  () => ["GET", `/${random()}`],
  () => ["GET", `/wp-admin/${random()}.php?x=${random()}`],
  () => ["GET", `/repos/${random()}-x`],
  () => ["GET", `/events/not-${random()}.data`],
  () => ["GET", `/api/v1/events/${random()}`],
  () => ["GET", `/api/v1/${random()}/${random()}`],
  () => ["POST", `/incidents/${random()}`],
  () => ["GET", `/build/${random()}.js`],
  () => ["PROPFIND", `/${random()}`],
  () => ["GET", `/HEALTHZ/`],
];

describe("HTTP metric labels", () => {
  it("5,000 requests to made-up URLs add a bounded set of series, labelled by route pattern or 'unmatched'", async () => {
    const before = await scrape();
    // React Router warns "No routes matched location" for each made-up URL outside production; 2,000 lines of noise.
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < 5_000) {
        const [method, path] = madeUpRequests[next % madeUpRequests.length]!();
        next += 1;
        const status = await request(agent, method, path);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    agent.destroy();
    warn.mockRestore();
    const after = await scrape();

    const series = after.split("\n").filter((line) => line.startsWith("sentinel_http_request_duration_seconds_count{"));
    const routes = new Set(series.map((line) => /route="([^"]*)"/.exec(line)![1]));
    const methods = new Set(series.map((line) => /method="([^"]*)"/.exec(line)![1]));
    process.stdout.write(
      `/metrics: ${before.length} bytes before, ${after.length} bytes after 5,000 made-up requests; ${series.length} HTTP series; statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
    expect([...routes].sort()).toEqual(
      ["/api/v1/*", "/api/v1/events/:eventId", "/events/:eventId", "/healthz", "/incidents/:incidentId", "/metrics", "/repos/:repoId", "unmatched"].sort(),
    );
    expect([...methods].sort()).toEqual(["GET", "POST", "other"]);
    // A handful of routes × 3 methods × status classes, not one series per URL.
    expect(series.length).toBeLessThanOrEqual(20);
    expect(after.length - before.length).toBeLessThan(30_000);
  }, 180_000);

  it("names single-fetch data requests, index routes, nested routes and Remix's manifest by their route", async () => {
    const match = createRouteMatcher((await loadRemixBuild()).routes);
    expect(match("/")).toEqual({ id: "routes/_index", pattern: "/" });
    expect(match("/_root.data")).toEqual({ id: "routes/_index", pattern: "/" });
    expect(match("/Repos/abc.data")).toEqual({ id: "routes/repos.$repoId", pattern: "/repos/:repoId" });
    expect(match("/events")).toEqual({ id: "routes/events._index", pattern: "/events" });
    expect(match("/auth/github/callback")).toEqual({ id: "routes/auth.github.callback", pattern: "/auth/github/callback" });
    expect(match("/api/v1/openapi.json")?.pattern).toBe("/api/v1/openapi.json");
    expect(match("/__manifest")?.pattern).toBe("/__manifest");
    expect(match("/no/such/page")).toBeNull();
  });
});
