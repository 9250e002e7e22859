import { Redis } from "ioredis";
import { RateLimiterRes } from "rate-limiter-flexible";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { TEST_REDIS_URL } from "../tests/support/config.ts";
import { createTestServices } from "../tests/support/services.ts";
import { displayPrefixOf, generateApiKey, hashApiKey } from "../application/access/api-keys.server.ts";
import { parseEnv } from "../infrastructure/config/env.ts";
import { silentLogger } from "../infrastructure/logging/logger.ts";
import { startThrowawayRedis } from "../tests/support/queue.ts";
import { loadRemixBuild, startHttpServer, type RunningHttpServer } from "./http-server.ts";
import { addressKeyOf, createRateLimits } from "./rate-limits.ts";
import type { Services } from "../application/services.ts";

/**
 * Issue 16, finding 7b: nothing limited how often anyone could try to sign in, replay OAuth callbacks, guess the
 * setup token or call the API. Budgets per client address (sign-in, API calls without a valid key) and per API key
 * now answer 429 with Retry-After once spent. Client addresses come from X-Forwarded-For here: the servers are told
 * there is one proxy in front (TRUST_PROXY_HOPS=1).
 */

const LIMITS = {
  TRUST_PROXY_HOPS: "1",
  RATE_LIMIT_SIGN_IN_PER_MINUTE: "3",
  RATE_LIMIT_API_PER_MINUTE: "5",
  RATE_LIMIT_API_ANONYMOUS_PER_MINUTE: "4",
};

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

function from(address: string, headers: Record<string, string> = {}): RequestInit {
  return { headers: { "X-Forwarded-For": address, ...headers }, redirect: "manual" };
}

async function statusesOf(count: number, send: () => Promise<Response>): Promise<number[]> {
  const statuses: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const response = await send();
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  return statuses;
}

async function insertApiKey(orgId: string, name: string): Promise<string> {
  const key = generateApiKey();
  await database.sql`insert into api_keys (org_id, name, display_prefix, key_hash, scope)
    values (${orgId}, ${name}, ${displayPrefixOf(key)}, ${hashApiKey(key)}, 'read')`;
  return key;
}

describe("rate limits counted in Redis (REDIS_URL set)", () => {
  let services: Services;
  let closeServices: () => Promise<void>;
  let server: RunningHttpServer;
  let keys: { first: string; second: string };

  beforeAll(async () => {
    ({ services, close: closeServices } = await createTestServices(database, { queue: "bullmq", env: { PORT: "0", ...LIMITS } }));
    server = await startHttpServer(services, await loadRemixBuild());
    const orgId = (await database.sql<{ id: string }[]>`insert into organizations (slug, name) values ('limited', 'Limited') returning id`)[0]!.id;
    keys = { first: await insertApiKey(orgId, "first"), second: await insertApiKey(orgId, "second") };
  });
  afterAll(async () => {
    await server?.close();
    await closeServices?.();
  });

  it("the OAuth callback answers 429 with Retry-After once an address spent its sign-in budget; another address is unaffected", async () => {
    const callback = () => fetch(`${server.url}/auth/github/callback?code=guess&state=guess`, from("203.0.113.10"));
    const statuses = await statusesOf(3, callback);
    expect(statuses.every((status) => status !== 429)).toBe(true);

    const refused = await callback();
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused.text()).toBe(`Too many sign-in attempts from your address. Try again in ${retryAfter} seconds.`);
    // One budget across the sign-in routes, however the path is spelled.
    expect((await fetch(`${server.url}/LOGIN.data`, { ...from("203.0.113.10"), method: "POST", body: new URLSearchParams({ intent: "local" }) })).status).toBe(429);
    expect((await fetch(`${server.url}/setup/callback?code=x&state=y`, from("203.0.113.10"))).status).toBe(429);

    const other = await fetch(`${server.url}/auth/github/callback?code=guess&state=guess`, from("203.0.113.11"));
    expect(other.status).not.toBe(429);
    // Showing the sign-in page spends nothing.
    expect((await fetch(`${server.url}/login`, from("203.0.113.10"))).status).toBe(200);
  });

  it("an API key is refused with 429 and Retry-After past its budget; another key, from the same address, is not", async () => {
    const call = (key: string) => fetch(`${server.url}/api/v1/repos`, from("198.51.100.7", { Authorization: `Bearer ${key}` }));
    expect(await statusesOf(5, () => call(keys.first))).toEqual([200, 200, 200, 200, 200]);
    const refused = await call(keys.first);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toEqual({ error: `rate limit exceeded for this API key: retry in ${retryAfter} seconds` });

    expect((await call(keys.second)).status).toBe(200);
  });

  it("the budget lives in Redis: a second web process sharing it refuses the spent key at once", async () => {
    const second = await startHttpServer(services, await loadRemixBuild());
    try {
      const response = await fetch(`${second.url}/api/v1/repos`, from("198.51.100.8", { Authorization: `Bearer ${keys.first}` }));
      expect(response.status).toBe(429);
    } finally {
      await second.close();
    }
    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.exists(`${services.env.REDIS_PREFIX}:ratelimit:apikey:${hashApiKey(keys.first)}`)).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  it("calls without a valid key are counted per address, made-up keys included, so inventing keys buys no budget", async () => {
    const anonymous = () => fetch(`${server.url}/api/v1/events`, from("192.0.2.20"));
    expect(await statusesOf(4, anonymous)).toEqual([401, 401, 401, 401]);
    expect((await anonymous()).status).toBe(429);

    const madeUp = () => fetch(`${server.url}/api/v1/events`, from("192.0.2.21", { Authorization: `Bearer ${generateApiKey()}` }));
    expect(await statusesOf(4, madeUp)).toEqual([401, 401, 401, 401]);
    const refused = await madeUp();
    expect(refused.status).toBe(429);
    expect((await refused.json()).error).toMatch(/^rate limit exceeded for requests from your address without a valid API key: retry in \d+ seconds$/);

    expect((await fetch(`${server.url}/api/v1/events`, from("192.0.2.22"))).status).toBe(401);
  });
});

describe("rate limits counted in memory (no REDIS_URL)", () => {
  it("the OAuth callback and POST /login still answer 429 past the budget, per address", async () => {
    const { services, close } = await createTestServices(database, { env: { PORT: "0", ...LIMITS } });
    const server = await startHttpServer(services, await loadRemixBuild());
    try {
      const callback = () => fetch(`${server.url}/auth/github/callback?code=a&state=b`, from("203.0.113.30"));
      expect((await statusesOf(3, callback)).includes(429)).toBe(false);
      const refused = await callback();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      const login = await fetch(`${server.url}/login`, { ...from("203.0.113.30"), method: "POST", body: new URLSearchParams({ intent: "local" }) });
      expect(login.status).toBe(429);
      expect((await fetch(`${server.url}/auth/github/callback?code=a&state=b`, from("203.0.113.31"))).status).not.toBe(429);
    } finally {
      await server.close();
      await close();
    }
  });
});

describe("rate limits when Redis goes away", () => {
  it("count in memory instead: requests past the budget are still refused, the rest still answered", async () => {
    const redis = await startThrowawayRedis();
    const limits = createRateLimits(parseEnv({ REDIS_URL: redis.url, RATE_LIMIT_SIGN_IN_PER_MINUTE: "2" }), silentLogger);
    try {
      await limits.ready();
      await limits.signIn.consume("203.0.113.40");
      await redis.stop();
      await limits.signIn.consume("203.0.113.40");
      await limits.signIn.consume("203.0.113.40");
      await expect(limits.signIn.consume("203.0.113.40")).rejects.toBeInstanceOf(RateLimiterRes);
      await expect(limits.signIn.consume("203.0.113.41")).resolves.toBeInstanceOf(RateLimiterRes);
    } finally {
      await limits.close();
      await redis.stop().catch(() => undefined);
    }
  });
});

describe("client address keys", () => {
  it("count an IPv6 client per /64 (it can pick any address in it) and an IPv4-mapped address as IPv4", () => {
    expect(addressKeyOf("203.0.113.9")).toBe("203.0.113.9");
    expect(addressKeyOf("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(addressKeyOf("2001:db8:85a3:0001:1111:2222:3333:4444")).toBe("2001:db8:85a3:1::/64");
    expect(addressKeyOf("2001:db8:85a3:1::9")).toBe("2001:db8:85a3:1::/64");
    expect(addressKeyOf("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKeyOf("::1")).toBe("0:0:0:0::/64");
    expect(addressKeyOf("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });
});
