import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { webhookDeliveries } from "../../infrastructure/db/schema/index.ts";
import type { FakeGitHub } from "../../tests/fakes/github.ts";
import type { GitHubApi } from "../../infrastructure/github/github-api.ts";
import { startTestGitHub } from "../../tests/fakes/github-client.ts";
import { redeliverFailedDeliveries } from "./github-history.ts";

/**
 * The hourly recovery reads GitHub's delivery log, newest first. Found by `npm run chaos`: with 10,000 deliveries in the
 * log, the deliveries that failed during an outage early in the burst sat past the first 2,000 attempts, which was as
 * far as the recovery read — they were never redelivered, and lost.
 */

let database: TestDatabase;
let fake: FakeGitHub;
let api: GitHubApi;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ fake, api } = await startTestGitHub());
});

afterAll(async () => {
  await fake?.close();
  await database?.drop();
});

const attempt = (guid: string, statusCode: number) => ({
  guid,
  redelivery: false,
  status_code: statusCode,
  event: "push",
  action: null,
  installation_id: 1,
  repository_id: 2,
});

describe("redeliverFailedDeliveries", () => {
  it("reads the whole log back to the lookback, however many deliveries came after a failure", async () => {
    const failed = [randomUUID(), randomUUID()];
    const recordedButRefused = randomUUID();
    fake.recordHookDelivery(attempt(failed[0]!, 503));
    fake.recordHookDelivery(attempt(recordedButRefused, 503));
    fake.recordHookDelivery(attempt(failed[1]!, 0));
    // A busy hour after the outage: 3,000 deliveries answered 202.
    for (let index = 0; index < 3_000; index += 1) fake.recordHookDelivery(attempt(randomUUID(), 202));
    await database.db.insert(webhookDeliveries).values({ deliveryId: recordedButRefused, event: "push", payload: {}, status: "queued" });
    const asked: string[] = [];
    fake.onRedeliver = (delivery) => {
      asked.push(delivery.guid);
    };

    const outcome = await redeliverFailedDeliveries({ db: database.db, github: api }, { now: new Date() });

    expect(outcome.listed).toBe(3_003);
    expect(outcome.redelivered.sort()).toEqual([...failed].sort());
    expect(asked.sort()).toEqual([...failed].sort());
  });
});
