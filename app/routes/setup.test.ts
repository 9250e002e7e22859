import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { JobContext } from "../../domain/ports.ts";
import { PROCESS_DELIVERY_JOB } from "../../jobs/webhooks.ts";
import { createJobHandlers } from "../../jobs/workers.ts";
import { parseEnv } from "../../infrastructure/config/env.ts";
import { ensureLocalDemoUser } from "../../infrastructure/db/queries/users.ts";
import { githubAppCredentials, webhookDeliveries } from "../../infrastructure/db/schema/index.ts";
import { githubApiSourceFor } from "../../infrastructure/github/api-source.ts";
import { resolveGitHubAppCredentials, resolveOAuthClient } from "../../infrastructure/github/app-config.ts";
import { announceGitHubAppSetup, removeStoredGitHubApp, setupTokenFor } from "../../infrastructure/github/app-registration.ts";
import { installationPayload, signDelivery, webhookRequest } from "../../tests/fixtures/webhooks.ts";
import type { Services } from "../../application/services.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import * as webhook from "./api.webhooks.github.ts";
import * as login from "./login.tsx";
import * as callback from "./setup.callback.tsx";
import * as setup from "./setup._index.tsx";

const API = "https://api.github.test";
const SECRET_KEY = "setup-test-secret-key-0123456789abcdef";
const BASE_ENV = { PUBLIC_URL: "https://sentinel.example.com", GITHUB_API_URL: API, SENTINEL_SECRET_KEY: SECRET_KEY };
const PEM = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const CONVERTED = {
  id: 424242,
  slug: "sentinel-acme",
  node_id: "A_kwDOB",
  name: "Sentinel (acme)",
  owner: { login: "acme", id: 9001 },
  html_url: "https://github.com/apps/sentinel-acme",
  client_id: "Iv23liClientId",
  client_secret: "client-secret-1234567890abcdef1234567890",
  webhook_secret: "webhook-secret-from-github-0123456789",
  pem: PEM,
  permissions: { contents: "read", metadata: "read", pull_requests: "read", deployments: "read" },
  events: ["push", "pull_request"],
};

// GitHub's manifest conversion is faked: a good code, an expired one, and an answer without the key.
const conversions: string[] = [];
const github = setupServer(
  http.post(`${API}/app-manifests/:code/conversions`, ({ params }) => {
    conversions.push(String(params.code));
    if (params.code === "good-code") return HttpResponse.json(CONVERTED, { status: 201 });
    if (params.code === "no-pem") return HttpResponse.json({ ...CONVERTED, pem: undefined }, { status: 201 });
    return HttpResponse.json({ message: "Not Found", documentation_url: "https://docs.github.com/rest" }, { status: 404 });
  }),
);

let database: TestDatabase;
let services: Services;
let close: () => Promise<void>;
let demoCookie: string;

type Handler = (args: { request: Request; params: Record<string, string>; context: { services: Services } }) => unknown;
interface Answer {
  status: number;
  body: Record<string, unknown> | null;
  headers: Headers;
}

/** Calls a loader or action the way Remix would, unwrapping `data(value, init)` and thrown responses. */
async function run(handler: Handler, path: string, options: { form?: Record<string, string>; cookies?: string[]; with?: Services } = {}): Promise<Answer> {
  const headers = new Headers();
  if (options.cookies?.length) headers.set("Cookie", options.cookies.join("; "));
  const body = options.form ? new URLSearchParams(options.form) : undefined;
  const request = new Request(`https://sentinel.example.com${path}`, { method: body ? "POST" : "GET", headers, body });
  try {
    const result = await handler({ request, params: {}, context: { services: options.with ?? services } });
    if (result instanceof Response) return { status: result.status, body: null, headers: result.headers };
    if (result && typeof result === "object" && (result as { type?: string }).type === "DataWithResponseInit") {
      const wrapped = result as unknown as { data: Record<string, unknown>; init: ResponseInit | null };
      return { status: wrapped.init?.status ?? 200, body: wrapped.data, headers: new Headers(wrapped.init?.headers) };
    }
    return { status: 200, body: result as Record<string, unknown>, headers: new Headers() };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: null, headers: thrown.headers };
    throw thrown;
  }
}

const cookiePair = (setCookie: string | null) => setCookie!.split(";")[0]!;

async function storedRows() {
  return database.sql<Record<string, unknown>[]>`select * from github_app_credentials`;
}

/** POST /setup as the demo user: the state cookie and the state GitHub will echo back. */
async function beginRegistration(): Promise<{ stateCookie: string; state: string; postTo: URL; manifest: Record<string, unknown> }> {
  const answer = await run(setup.action, "/setup", { form: { name: "Sentinel (acme)", organization: "acme" }, cookies: [demoCookie] });
  expect(answer.status).toBe(200);
  const postTo = new URL(String(answer.body!.postTo));
  return { stateCookie: cookiePair(answer.headers.get("Set-Cookie")), state: postTo.searchParams.get("state")!, postTo, manifest: JSON.parse(String(answer.body!.manifest)) };
}

beforeAll(async () => {
  github.listen({ onUnhandledRequest: "bypass" });
  database = await createTestDatabase();
  ({ services, close } = await createTestServices(database, { env: BASE_ENV }));
  const session = await services.sessionStorage.getSession();
  session.set("userId", await ensureLocalDemoUser(database.db));
  demoCookie = cookiePair(await services.sessionStorage.commitSession(session));
});

afterAll(async () => {
  github.close();
  await close?.();
  await database?.drop();
});

beforeEach(async () => {
  await removeStoredGitHubApp(database.db);
  conversions.length = 0;
});

describe("/setup in local mode (not production, no GitHub sign-in configured)", () => {
  it("is for the signed-in demo user, and explains what will be registered where", async () => {
    const signedOut = await run(setup.loader, "/setup");
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);

    const page = await run(setup.loader, "/setup", { cookies: [demoCookie] });
    expect(page.body).toMatchObject({ view: "register", needsToken: false, secretKeyMissing: false, webhookUrl: "https://sentinel.example.com/api/webhooks/github", reachable: true });
  });

  it("posts a manifest to GitHub's new-App page (organisation variant) with a state bound to this browser by a cookie", async () => {
    const { postTo, state, stateCookie, manifest } = await beginRegistration();
    expect(`${postTo.origin}${postTo.pathname}`).toBe("https://github.com/organizations/acme/settings/apps/new");
    expect(state.length).toBeGreaterThanOrEqual(32);
    expect(stateCookie).toMatch(/^sentinel_setup_state=/);
    expect(manifest).toEqual({
      name: "Sentinel (acme)",
      url: "https://sentinel.example.com",
      description: expect.any(String),
      hook_attributes: { url: "https://sentinel.example.com/api/webhooks/github", active: true },
      redirect_url: "https://sentinel.example.com/setup/callback",
      callback_urls: ["https://sentinel.example.com/auth/github/callback"],
      setup_url: "https://sentinel.example.com/dashboard",
      public: false,
      default_permissions: { contents: "read", metadata: "read", pull_requests: "read", deployments: "read", members: "read" },
      default_events: ["push", "pull_request", "pull_request_review", "deployment", "deployment_status", "membership", "team", "organization"],
    });

    const personal = await run(setup.action, "/setup", { form: { name: "Sentinel" }, cookies: [demoCookie] });
    expect(new URL(String(personal.body!.postTo)).pathname).toBe("/settings/apps/new");
  });

  it("answers bad form input with field errors and no state cookie", async () => {
    const answer = await run(setup.action, "/setup", { form: { name: "x".repeat(35), organization: "not an org!" }, cookies: [demoCookie] });
    expect(answer.status).toBe(400);
    expect(answer.body!.fieldErrors).toEqual({ name: expect.stringContaining("34"), organization: expect.stringContaining("Letters") });
    expect(answer.headers.get("Set-Cookie")).toBeNull();
  });

  it("rejects a callback whose state is missing, altered or not this browser's, before asking GitHub anything", async () => {
    const { state, stateCookie } = await beginRegistration();
    const cases: Array<[string, string[]]> = [
      ["/setup/callback?code=good-code", [stateCookie, demoCookie]],
      [`/setup/callback?code=good-code&state=${state.slice(0, -2)}xx`, [stateCookie, demoCookie]],
      [`/setup/callback?code=good-code&state=${state}`, [demoCookie]],
    ];
    for (const [path, cookies] of cases) {
      const answer = await run(callback.loader, path, { cookies });
      expect(answer.status, path).toBe(400);
      expect(answer.body, path).toMatchObject({ ok: false, code: "STATE_MISMATCH" });
    }
    expect(conversions).toEqual([]);
    expect(await storedRows()).toHaveLength(0);
  });

  it("stores the App encrypted, after which webhooks signed with its secret are accepted and GitHub sign-in uses its client", async () => {
    const { state, stateCookie } = await beginRegistration();
    const answer = await run(callback.loader, `/setup/callback?code=good-code&state=${state}`, { cookies: [stateCookie, demoCookie] });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      ok: true,
      app: { appId: 424242, slug: "sentinel-acme", name: "Sentinel (acme)", htmlUrl: "https://github.com/apps/sentinel-acme", installUrl: "https://github.com/apps/sentinel-acme/installations/new" },
    });
    expect(answer.headers.get("Set-Cookie")).toMatch(/^sentinel_setup_state=;.*Max-Age=0/);
    expect(conversions).toEqual(["good-code"]);

    // The raw row holds no secret in plain text.
    const rows = await storedRows();
    expect(rows).toHaveLength(1);
    const raw = JSON.stringify(rows[0]);
    for (const secret of [CONVERTED.client_secret, CONVERTED.webhook_secret, "BEGIN RSA PRIVATE KEY", PEM.split("\n")[1]!]) expect(raw).not.toContain(secret);
    expect(rows[0]).toMatchObject({ app_id: "424242", slug: "sentinel-acme", client_id: CONVERTED.client_id, created_by_user_id: expect.any(String) });
    for (const column of ["client_secret_encrypted", "webhook_secret_encrypted", "private_key_encrypted"]) expect(String(rows[0]![column])).toMatch(/^enc:v1:/);

    // The webhook route (no GITHUB_WEBHOOK_SECRET in this environment) verifies with the stored secret.
    const signed = signDelivery(CONVERTED.webhook_secret, "ping", { zen: "Design for failure.", hook_id: 1 });
    expect((await webhook.action({ request: webhookRequest(signed), params: {}, context: { services } })).status).toBe(200);
    const forged = signDelivery("some-other-secret", "ping", { zen: "Design for failure.", hook_id: 1 });
    expect((await webhook.action({ request: webhookRequest(forged), params: {}, context: { services } })).status).toBe(401);

    // The workers' GitHub client and the sign-in page resolve the stored credentials.
    expect(await resolveGitHubAppCredentials(services.env, services.db)).toEqual({ appId: 424242, privateKey: PEM, baseUrl: API });
    expect(await resolveOAuthClient(services.env, services.db)).toEqual({ clientId: CONVERTED.client_id, clientSecret: CONVERTED.client_secret });
    expect((await run(login.loader, "/login")).body).toMatchObject({ githubSignIn: true, localSignIn: false });

    // /setup now shows the App, without a secret, and refuses a second registration.
    const page = await run(setup.loader, "/setup", { cookies: [demoCookie] });
    expect(page.body).toMatchObject({ view: "configured", app: { source: "stored", appId: 424242, slug: "sentinel-acme", problem: null, installUrl: "https://github.com/apps/sentinel-acme/installations/new" } });
    for (const secret of [CONVERTED.client_secret, CONVERTED.webhook_secret, "PRIVATE KEY", "enc:v1:"]) expect(JSON.stringify(page.body)).not.toContain(secret);
    const again = await run(setup.action, "/setup", { form: { name: "Another" }, cookies: [demoCookie] });
    expect(again.status).toBe(409);
    expect(String(again.body!.formError)).toContain("github-app remove");
  });

  it("a refused code (expired, used) or an incomplete answer stores nothing and says so", async () => {
    for (const code of ["expired-code", "no-pem"]) {
      const { state, stateCookie } = await beginRegistration();
      const answer = await run(callback.loader, `/setup/callback?code=${code}&state=${state}`, { cookies: [stateCookie, demoCookie] });
      expect(answer.status, code).toBe(502);
      expect(answer.body, code).toMatchObject({ ok: false, message: expect.stringContaining("Nothing was stored") });
    }
    expect(conversions).toEqual(["expired-code", "no-pem"]);
    expect(await storedRows()).toHaveLength(0);
  });

  it("the environment wins over a stored App: its webhook secret, not the stored one, verifies deliveries", async () => {
    const { state, stateCookie } = await beginRegistration();
    expect((await run(callback.loader, `/setup/callback?code=good-code&state=${state}`, { cookies: [stateCookie, demoCookie] })).status).toBe(200);
    const withEnv = { ...services, env: { ...services.env, GITHUB_WEBHOOK_SECRET: "env-secret" } };
    const byStored = signDelivery(CONVERTED.webhook_secret, "ping", { zen: "x", hook_id: 1 });
    const byEnv = signDelivery("env-secret", "ping", { zen: "x", hook_id: 1 });
    expect((await webhook.action({ request: webhookRequest(byStored), params: {}, context: { services: withEnv } })).status).toBe(401);
    expect((await webhook.action({ request: webhookRequest(byEnv), params: {}, context: { services: withEnv } })).status).toBe(200);
    expect((await run(setup.loader, "/setup", { cookies: [demoCookie], with: withEnv })).body).toMatchObject({ view: "configured", app: { source: "env" } });
  });

  it("a stored App whose SENTINEL_SECRET_KEY changed is reported, and refuses webhooks instead of guessing", async () => {
    const { state, stateCookie } = await beginRegistration();
    expect((await run(callback.loader, `/setup/callback?code=good-code&state=${state}`, { cookies: [stateCookie, demoCookie] })).status).toBe(200);
    const rekeyed = { ...services, env: { ...services.env, SENTINEL_SECRET_KEY: "a-different-key-0123456789abcdef0123" } };
    const page = await run(setup.loader, "/setup", { cookies: [demoCookie], with: rekeyed });
    expect(page.body).toMatchObject({ view: "configured", app: { problem: expect.stringContaining("cannot be decrypted") } });
    const signed = signDelivery(CONVERTED.webhook_secret, "ping", { zen: "x", hook_id: 1 });
    expect((await webhook.action({ request: webhookRequest(signed), params: {}, context: { services: rekeyed } })).status).toBe(401);
    await expect(resolveGitHubAppCredentials(rekeyed.env, rekeyed.db)).rejects.toThrow(/cannot be decrypted/);
  });
});

describe("workers started before the App was registered", () => {
  it("use it without a restart: repositories added after registration are backfilled, earlier ones were not", async () => {
    const webhookJobs = createJobHandlers(services, githubApiSourceFor(services)).webhooks;
    const processDelivery = (deliveryId: string) => webhookJobs[PROCESS_DELIVERY_JOB]!.run({ deliveryId }, {} as JobContext);
    const waitingAnalysis = async () => (await services.queue.counts("analysis")).waiting;

    // No App yet: an installation recorded anyway (e.g. by an earlier App) adds its repository without a backfill.
    const before = installationPayload("created", 801, { id: 8801, login: "early-org" }, [{ id: 88011, full_name: "early-org/api" }]);
    await database.db.insert(webhookDeliveries).values({ deliveryId: "early-installation", event: "installation", action: "created", installationId: 801, payload: before });
    const waiting = await waitingAnalysis();
    expect(await processDelivery("early-installation")).toBe("processed");
    expect(await waitingAnalysis()).toBe(waiting);

    const { state, stateCookie } = await beginRegistration();
    expect((await run(callback.loader, `/setup/callback?code=good-code&state=${state}`, { cookies: [stateCookie, demoCookie] })).status).toBe(200);

    const after = signDelivery(CONVERTED.webhook_secret, "installation", installationPayload("created", 802, { id: 8802, login: "acme" }, [{ id: 88021, full_name: "acme/api" }]));
    expect((await webhook.action({ request: webhookRequest(after), params: {}, context: { services } })).status).toBe(202);
    expect(await processDelivery(after.deliveryId)).toBe("processed");
    expect(await waitingAnalysis()).toBe(waiting + 1);
  });
});

describe("/setup in production: the setup token from the server log", () => {
  const productionEnv = (extra: Record<string, string> = {}) =>
    parseEnv({ NODE_ENV: "production", DATABASE_URL: database.url, SESSION_SECRET: "s".repeat(40), ...BASE_ENV, ...extra });

  it("is printed at start while no App is configured, and only that token opens the registration", async () => {
    const prod = { ...services, env: productionEnv() };
    const lines: string[] = [];
    const logger = pino({ level: "info" }, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
    await announceGitHubAppSetup({ env: prod.env, db: prod.db, logger }, "http://0.0.0.0:3000");
    const token = setupTokenFor(prod.env);
    expect(lines.join("")).toContain(`https://sentinel.example.com/setup with the setup token ${token}`);

    expect((await run(setup.loader, "/setup", { with: prod })).body).toMatchObject({ view: "register", needsToken: true });
    for (const given of [undefined, "", "wrong-token", setupTokenFor(productionEnv({ SESSION_SECRET: "t".repeat(40) }))]) {
      const answer = await run(setup.action, "/setup", { form: { name: "Sentinel", ...(given === undefined ? {} : { token: given }) }, with: prod });
      expect(answer.status, String(given)).toBe(403);
      expect(answer.body!.fieldErrors).toEqual({ token: expect.stringContaining("server log") });
      expect(answer.headers.get("Set-Cookie")).toBeNull();
    }
    const accepted = await run(setup.action, "/setup", { form: { name: "Sentinel", token }, with: prod });
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get("Set-Cookie")).toMatch(/Secure/);
  });

  it("refuses to register without SENTINEL_SECRET_KEY: a private key is never stored in plain text", async () => {
    const env = productionEnv();
    const noKey = { ...services, env: { ...env, SENTINEL_SECRET_KEY: undefined } };
    expect((await run(setup.loader, "/setup", { with: noKey })).body).toMatchObject({ secretKeyMissing: true });
    const answer = await run(setup.action, "/setup", { form: { name: "Sentinel", token: setupTokenFor(env) }, with: noKey });
    expect(answer.status).toBe(400);
    expect(String(answer.body!.formError)).toContain("SENTINEL_SECRET_KEY");

    // Even with a valid state (the key was removed between the two steps), the callback stores nothing.
    const started = await run(setup.action, "/setup", { form: { name: "Sentinel", token: setupTokenFor(env) }, with: { ...services, env } });
    const state = new URL(String(started.body!.postTo)).searchParams.get("state")!;
    const finished = await run(callback.loader, `/setup/callback?code=good-code&state=${state}`, { cookies: [cookiePair(started.headers.get("Set-Cookie"))], with: noKey });
    expect(finished.body).toMatchObject({ ok: false, code: "NO_SECRET_KEY" });
    expect(conversions).toEqual([]);
    expect(await storedRows()).toHaveLength(0);
  });

  it("once an App is stored, the page needs a signed-in user and the token opens nothing", async () => {
    const prod = { ...services, env: productionEnv() };
    const started = await run(setup.action, "/setup", { form: { name: "Sentinel", token: setupTokenFor(prod.env) }, with: prod });
    const state = new URL(String(started.body!.postTo)).searchParams.get("state")!;
    const finished = await run(callback.loader, `/setup/callback?code=good-code&state=${state}`, { cookies: [cookiePair(started.headers.get("Set-Cookie"))], with: prod });
    expect(finished.status).toBe(200);
    const [row] = await database.db.select({ createdBy: githubAppCredentials.createdByUserId }).from(githubAppCredentials);
    expect(row!.createdBy).toBeNull();

    expect((await run(setup.loader, "/setup", { with: prod })).status).toBe(302);
    expect((await run(setup.action, "/setup", { form: { name: "Again", token: setupTokenFor(prod.env) }, with: prod })).status).toBe(409);
  });
});
