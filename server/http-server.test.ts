import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import { sleep } from "../tests/support/queue.ts";
import type { Services } from "../application/services.ts";
import { loadRemixBuild, startHttpServer } from "./http-server.ts";

/**
 * Graceful shutdown under load (catalogue row 14, and the chaos run's web SIGTERM during the burst): clients that keep
 * their connections alive and keep sending — as GitHub does during a burst of deliveries — must not hold the shutdown
 * until its timeout, which then cuts their connections mid-request.
 */

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { env: { PORT: "0" } }));
});

afterAll(async () => {
  await close?.();
  await database?.drop();
});

function get(url: string, agent: http.Agent): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent }, (response) => {
      response.resume();
      response.on("end", () => resolve({ status: response.statusCode ?? 0 }));
    });
    request.on("error", reject);
  });
}

describe("HTTP server shutdown", () => {
  it("with keep-alive clients still sending, close() ends their connections and returns at once instead of after its timeout", async () => {
    const running = await startHttpServer(services, await loadRemixBuild());
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const answers: Array<{ status: number }> = [];
    let stop = false;
    const client = async () => {
      while (!stop) {
        try {
          answers.push(await get(`${running.url}/favicon.ico`, agent));
        } catch {
          // After the close the server refuses new connections: what GitHub would log as a failed delivery.
          await sleep(5);
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    let before = 0;
    let took = Number.NaN;
    try {
      // The clients are answered before the close (waited for, not slept on: a loaded machine can take a while).
      const deadline = performance.now() + 10_000;
      while (answers.length === 0 && performance.now() < deadline) await sleep(20);
      before = answers.length;
      const started = performance.now();
      await running.close(10_000);
      took = performance.now() - started;
    } finally {
      stop = true;
      await Promise.all(clients);
      agent.destroy();
    }
    expect(before).toBeGreaterThan(0);
    expect(took).toBeLessThan(2_000);
    expect(answers.every((answer) => answer.status === 204)).toBe(true);
  }, 20_000);
});
