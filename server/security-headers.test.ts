import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { createTestServices } from "../tests/support/services.ts";
import { loadRemixBuild, startHttpServer, type RunningHttpServer } from "./http-server.ts";
import type { Services } from "../application/services.ts";

/**
 * Issue 16, finding 7a: pages had no Content-Security-Policy, could be framed, and were MIME-sniffed. Remix's inline
 * scripts now carry a per-request nonce the policy names, so an injected script without it does not run.
 */

let database: TestDatabase;
let services: Services;
let closeServices: () => Promise<void>;
let server: RunningHttpServer;
let userId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close: closeServices } = await createTestServices(database, { env: { PORT: "0" } }));
  server = await startHttpServer(services, await loadRemixBuild());
  const sql = database.sql;
  userId = (await sql<{ id: string }[]>`insert into users (login, github_id) values ('csp-user', 4242) returning id`)[0]!.id;
  const orgId = (await sql<{ id: string }[]>`insert into organizations (slug, name) values ('csp', 'CSP') returning id`)[0]!.id;
  await sql`insert into organization_members (org_id, user_id, role) values (${orgId}, ${userId}, 'owner')`;
  await sql`insert into repositories (org_id, full_name) values (${orgId}, 'csp/api')`;
});

afterAll(async () => {
  await server?.close();
  await closeServices?.();
  await database?.drop();
});

async function signedInPage(path: string): Promise<Response> {
  const session = await services.sessionStorage.getSession();
  session.set("userId", userId);
  const cookie = (await services.sessionStorage.commitSession(session)).split(";")[0]!;
  return fetch(`${server.url}${path}`, { headers: { cookie }, redirect: "manual" });
}

function nonceOf(policy: string | null): string {
  const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(policy ?? "")?.[1];
  expect(nonce, `no script nonce in ${policy}`).toBeDefined();
  return nonce!;
}

describe("security headers", () => {
  it("the dashboard's every <script> carries the nonce its Content-Security-Policy names, fresh on each request", async () => {
    const response = await signedInPage("/dashboard");
    expect(response.status).toBe(200);
    const policy = response.headers.get("content-security-policy");
    const nonce = nonceOf(policy);
    for (const directive of ["default-src 'self'", "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'", "style-src 'self' 'unsafe-inline'"]) {
      expect(policy).toContain(directive);
    }
    expect(policy).not.toContain("'unsafe-eval'");
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);

    const html = await response.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    // Remix's context, route module imports, scroll restoration and the streamed loader data.
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(html).toContain("csp/api");

    const again = nonceOf((await signedInPage("/dashboard")).headers.get("content-security-policy"));
    expect(again).not.toBe(nonce);
  });

  it("every answer refuses framing and sniffing and trims referrers; no HSTS outside production", async () => {
    for (const path of ["/login", "/no/such/page", "/healthz"]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin");
      expect(response.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      expect(response.headers.get("strict-transport-security"), path).toBeNull();
    }
    const login = await fetch(`${server.url}/login`);
    const nonce = nonceOf(login.headers.get("content-security-policy"));
    for (const tag of (await login.text()).match(/<script\b[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${nonce}"`);
  });

  it("in production the answers also carry Strict-Transport-Security", async () => {
    const production = await createTestServices(database, {
      env: { PORT: "0", NODE_ENV: "production", SESSION_SECRET: "a-production-session-secret-0123456789" },
    });
    const running = await startHttpServer(production.services, await loadRemixBuild());
    try {
      const response = await fetch(`${running.url}/healthz`);
      expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    } finally {
      await running.close();
      await production.close();
    }
  });
});
