import { eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { githubInstallations, organizationMembers, organizations, users } from "../../infrastructure/db/schema/index.ts";
import type { Services } from "../../application/services.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { requireUser } from "../auth.server.ts";
import * as callback from "./auth.github.callback.tsx";
import * as start from "./auth.github.tsx";
import * as login from "./login.tsx";

const GITHUB_ENV = { GITHUB_CLIENT_ID: "Iv1.test-client", GITHUB_CLIENT_SECRET: "test-client-secret", PUBLIC_URL: "http://sentinel.test" };
const OCTOCAT = { id: 583231, login: "octocat", name: "The Octocat", email: null, avatar_url: "https://avatars.example/octocat" };
const ACME_GITHUB_ORG = { id: 9001, login: "acme" };

// GitHub is faked: the token exchange (arctic posts to github.com) and the two API reads.
const github = setupServer(
  http.post("https://github.com/login/oauth/access_token", async ({ request }) => {
    const body = new URLSearchParams(await request.text());
    // GitHub answers a bad or reused code with 200 and an error body, not a 4xx.
    if (body.get("code") !== "good-code") return HttpResponse.json({ error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
    return HttpResponse.json({ access_token: "gho_test", token_type: "bearer", scope: "read:user,read:org" });
  }),
  http.get("https://api.github.com/user", () => HttpResponse.json(OCTOCAT)),
  http.get("https://api.github.com/user/orgs", () => HttpResponse.json([ACME_GITHUB_ORG])),
);

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let acmeOrgId: string;
let ownedOrgId: string;

beforeAll(async () => {
  github.listen({ onUnhandledRequest: "bypass" });
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { env: GITHUB_ENV }));
  const [acme] = await database.db.insert(organizations).values({ slug: "acme", name: "Acme", githubAccountId: ACME_GITHUB_ORG.id }).returning({ id: organizations.id });
  const [owned] = await database.db.insert(organizations).values({ slug: "octo-tools", name: "Octo tools", githubAccountId: 4444 }).returning({ id: organizations.id });
  const [other] = await database.db.insert(organizations).values({ slug: "globex", name: "Globex", githubAccountId: 5555 }).returning({ id: organizations.id });
  acmeOrgId = acme!.id;
  ownedOrgId = owned!.id;
  await database.db.insert(githubInstallations).values([
    { id: 1, orgId: acmeOrgId, accountId: ACME_GITHUB_ORG.id, accountLogin: "acme", accountType: "Organization", installedByGithubId: 1 },
    // octocat installed the App on an organisation they are not listed in: they own it anyway.
    { id: 2, orgId: ownedOrgId, accountId: 4444, accountLogin: "octo-tools", accountType: "Organization", installedByGithubId: OCTOCAT.id },
    { id: 3, orgId: other!.id, accountId: 5555, accountLogin: "globex", accountType: "Organization", installedByGithubId: 2 },
  ]);
});

afterAll(async () => {
  github.close();
  await close?.();
  await database?.drop();
});

async function beginSignIn(): Promise<{ state: string; stateCookie: string; location: URL }> {
  const request = new Request("http://sentinel.test/auth/github", { method: "POST" });
  let response: Response;
  try {
    response = (await start.action({ request, params: {}, context: { services } })) as Response;
  } catch (thrown) {
    response = thrown as Response;
  }
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("Location")!);
  const stateCookie = response.headers.get("Set-Cookie")!.split(";")[0]!;
  return { state: location.searchParams.get("state")!, stateCookie, location };
}

async function callBack(query: string, cookie?: string): Promise<Response> {
  const request = new Request(`http://sentinel.test/auth/github/callback?${query}`, { headers: cookie ? { Cookie: cookie } : {} });
  try {
    return (await callback.loader({ request, params: {}, context: { services } })) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

function sessionCookieOf(response: Response): string | undefined {
  return response.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith("sentinel_session=") && !/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(cookie));
}

describe("GitHub sign-in", () => {
  it("redirects to GitHub with a state that is also kept in an HttpOnly cookie", async () => {
    const { location, stateCookie, state } = await beginSignIn();
    expect(location.origin + location.pathname).toBe("https://github.com/login/oauth/authorize");
    expect(location.searchParams.get("client_id")).toBe("Iv1.test-client");
    expect(location.searchParams.get("redirect_uri")).toBe("http://sentinel.test/auth/github/callback");
    expect(location.searchParams.get("scope")).toContain("read:org");
    expect(state.length).toBeGreaterThan(20);
    expect(decodeURIComponent(stateCookie)).toContain(state);
  });

  it("row 35: a callback with the state missing, altered, or without its cookie is rejected and gives no session", async () => {
    const { state, stateCookie } = await beginSignIn();
    expect(stateCookie).toContain(state);
    const attempts = [
      await callBack("code=good-code", stateCookie),
      await callBack(`code=good-code&state=${state}x`, stateCookie),
      await callBack(`code=good-code&state=${state}`),
      await callBack(`code=good-code&state=${state}`, stateCookie.replace(state, "forged-state-of-an-attacker")),
      await callBack("error=access_denied&state=" + state, stateCookie),
    ];
    for (const response of attempts) {
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe("/login?error=github");
      expect(sessionCookieOf(response)).toBeUndefined();
    }
    expect(await database.db.select().from(users).where(eq(users.githubId, OCTOCAT.id))).toEqual([]);
  });

  it("a refused code exchange gives no session either", async () => {
    const { state, stateCookie } = await beginSignIn();
    const response = await callBack(`code=stolen-code&state=${state}`, stateCookie);
    expect(response.headers.get("Location")).toBe("/login?error=github");
    expect(sessionCookieOf(response)).toBeUndefined();
  });

  it("a valid callback signs the user in, keyed by GitHub id, as member of their GitHub org's Sentinel org and owner of what they installed", async () => {
    const { state, stateCookie } = await beginSignIn();
    const response = await callBack(`code=good-code&state=${state}`, stateCookie);
    expect(response.headers.get("Location")).toBe("/dashboard");
    const session = sessionCookieOf(response);
    expect(session).toBeDefined();
    // The state cookie is spent.
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith("sentinel_github_oauth=;") && cookie.includes("Max-Age=0"))).toBe(true);

    const signedIn = await requireUser(new Request("http://sentinel.test/dashboard", { headers: { Cookie: session!.split(";")[0]! } }), { services });
    expect(signedIn.user.login).toBe("octocat");
    expect(signedIn.user.memberships.map((membership) => [membership.name, membership.role])).toEqual([
      ["Acme", "member"],
      ["Octo tools", "owner"],
    ]);

    // Signing in again after a rename updates the same user (keyed by id, not login).
    OCTOCAT.login = "octocat-renamed";
    const again = await beginSignIn();
    await callBack(`code=good-code&state=${again.state}`, again.stateCookie);
    const rows = await database.db.select({ login: users.login }).from(users).where(eq(users.githubId, OCTOCAT.id));
    expect(rows).toEqual([{ login: "octocat-renamed" }]);
    const memberships = await database.db.select().from(organizationMembers).where(eq(organizationMembers.orgId, acmeOrgId));
    expect(memberships).toHaveLength(1);
  });

  it("with GitHub sign-in configured the local demo sign-in is not offered and its action answers 404", async () => {
    const request = new Request("http://sentinel.test/login");
    const page = (await login.loader({ request, params: {}, context: { services } })) as { localSignIn: boolean; githubSignIn: boolean };
    expect(page).toMatchObject({ localSignIn: false, githubSignIn: true });
    const post = new Request("http://sentinel.test/login", { method: "POST", body: new URLSearchParams({ intent: "local" }) });
    await expect(login.action({ request: post, params: {}, context: { services } })).rejects.toMatchObject({ status: 404 });
  });
});

describe("row 39: production mode", () => {
  it("has no local sign-in at all, even without GitHub configured; the session cookie is Secure, HttpOnly, SameSite=Lax (row 37)", async () => {
    const production = await createTestServices(database, { env: { NODE_ENV: "production", SESSION_SECRET: "x".repeat(40) } });
    try {
      const context = { services: production.services };
      const page = (await login.loader({ request: new Request("http://sentinel.test/login"), params: {}, context })) as { localSignIn: boolean };
      expect(page.localSignIn).toBe(false);
      const post = new Request("http://sentinel.test/login", { method: "POST", body: new URLSearchParams({ intent: "local" }) });
      await expect(login.action({ request: post, params: {}, context })).rejects.toMatchObject({ status: 404 });
      expect(await database.db.select().from(users).where(eq(users.login, "demo"))).toEqual([]);
      await expect(start.action({ request: new Request("http://sentinel.test/auth/github", { method: "POST" }), params: {}, context })).rejects.toMatchObject({ status: 404 });

      const session = await production.services.sessionStorage.getSession();
      session.set("userId", "00000000-0000-4000-8000-000000000000");
      const cookie = await production.services.sessionStorage.commitSession(session);
      expect(cookie).toMatch(/^__Host-sentinel=/);
      expect(cookie).toContain("HttpOnly");
      expect(cookie).toContain("Secure");
      expect(cookie).toContain("SameSite=Lax");
    } finally {
      await production.close();
    }
  });
});
