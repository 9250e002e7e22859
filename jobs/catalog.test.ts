import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUE_NAMES } from "../domain/ports.ts";
import type { Services } from "../application/services.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import { JOB_CATALOG, type JobName } from "../application/job-catalog.ts";
import type { JobHandler } from "./router.ts";
import { SCHEDULES } from "./schedules.ts";
import { createJobHandlers } from "./workers.ts";

let database: TestDatabase;
let handle: { services: Services; close(): Promise<void> };
let handlers: Record<string, Record<string, JobHandler>>;

beforeAll(async () => {
  database = await createTestDatabase();
  handle = await createTestServices(database);
  handlers = createJobHandlers(handle.services, null);
}, 120_000);

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

const registered = () => Object.entries(handlers).flatMap(([queue, byName]) => Object.entries(byName).map(([name, handler]) => ({ queue, name, handler })));

describe("the job catalog", () => {
  it("lists every job a worker handles, on the queue that handles it, with the schema the handler parses", () => {
    for (const { queue, name, handler } of registered()) {
      expect(Object.hasOwn(JOB_CATALOG, name), `${queue}/${name} has no catalog entry`).toBe(true);
      const entry = JOB_CATALOG[name as JobName];
      expect(entry.queue, `${name} runs on ${queue}, the catalog says ${entry.queue}`).toBe(queue);
      expect(handler.schema, `${name}'s handler parses another schema than the catalog's`).toBe(entry.payload);
    }
  });

  it("has a handler for every cataloged job", () => {
    for (const [name, entry] of Object.entries(JOB_CATALOG)) {
      expect(Object.keys(handlers[entry.queue] ?? {}), `no handler for ${name} on ${entry.queue}`).toContain(name);
    }
    expect(Object.keys(handlers).sort()).toEqual([...QUEUE_NAMES].sort());
  });

  it("schedules only cataloged jobs, on their queue", () => {
    for (const schedule of SCHEDULES) {
      expect(Object.hasOwn(JOB_CATALOG, schedule.job.name), `schedule ${schedule.id} names ${schedule.job.name}`).toBe(true);
      expect(schedule.job.queue).toBe(JOB_CATALOG[schedule.job.name].queue);
    }
    expect(new Set(SCHEDULES.map((schedule) => schedule.id)).size).toBe(SCHEDULES.length);
  });

  it("builds ids BullMQ accepts (no ':') and keeps the ids queued jobs already carry", () => {
    const uuid = "3f2c1a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f";
    expect(JOB_CATALOG["process-delivery"].id("72d3162e-cc78-11e3-81ab-4c9367dc0958")).toBe("delivery-72d3162e-cc78-11e3-81ab-4c9367dc0958");
    expect(JOB_CATALOG["monitor-saturation-hourly"].id(uuid, "2026-03-03T10:00")).toBe(`monitor-saturation-hourly-${uuid}-2026-03-03T10_00`);
    expect(JOB_CATALOG["evaluate-alerts"].id("compute-metrics-daily", uuid, "2026-03-03")).toBe(`evaluate-alerts-compute-metrics-daily-${uuid}-2026-03-03`);
    expect(JOB_CATALOG["rescore-organization"].id(uuid, "sentinel-detector-1.2.3")).toBe(`rescore-organization-${uuid}-sentinel-detector-1.2.3`);
    expect(JOB_CATALOG["analyze-commit"].id(uuid, "abc1234", "delivery:1")).toBe(`analyze-${uuid}-abc1234-delivery_1`);
    expect(JOB_CATALOG["deliver-alert"].id(uuid, uuid)).toBe(`alert-${uuid}-${uuid}`);
    expect(JOB_CATALOG["acknowledge-pagerduty"].id(uuid, uuid)).toBe(`pd-ack-${uuid}-${uuid}`);
  });
});
