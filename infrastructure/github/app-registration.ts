import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Env } from "../config/env.ts";
import type { Database } from "../db/client.ts";
import { githubAppCredentials } from "../db/schema/index.ts";
import type { Logger } from "../logging/logger.ts";
import { describeGitHubApp, forgetStoredGitHubApp, resolveOAuthClient, sealGitHubAppSecret } from "./app-config.ts";

/**
 * Registering Sentinel's GitHub App from the browser with GitHub's App manifest flow (as Probot does): the Setup page
 * posts a manifest to GitHub, GitHub creates the App and sends the browser back with a one-hour code, and the code is
 * exchanged for the App's id, private key, webhook secret and OAuth client, which are stored sealed under
 * SENTINEL_SECRET_KEY (app-config.ts reads them back). docs/decisions/051-github-app-setup.md says who may do it.
 */

/**
 * Read-only, and only what the detection and metrics read: contents (commits, diffs), pull requests, deployments, and
 * the organisation's members (GitHub's "Members: read": its teams and who is in them, for the team views, ADR 076).
 */
export const GITHUB_APP_PERMISSIONS = { contents: "read", metadata: "read", pull_requests: "read", deployments: "read", members: "read" } as const;
/**
 * The events the webhook planner uses (`membership`, `team` and `organization` queue a sync of the GitHub teams). `installation` and `installation_repositories` are not listed: GitHub sends
 * them to every App without a subscription (and refuses them in a manifest's default_events).
 */
export const GITHUB_APP_EVENTS = ["push", "pull_request", "pull_request_review", "deployment", "deployment_status", "membership", "team", "organization"] as const;

export const WEBHOOK_PATH = "/api/webhooks/github";
export const SETUP_CALLBACK_PATH = "/setup/callback";
export const SIGN_IN_CALLBACK_PATH = "/auth/github/callback";

export interface GitHubAppManifest {
  name: string;
  url: string;
  description: string;
  hook_attributes: { url: string; active: boolean };
  redirect_url: string;
  callback_urls: string[];
  setup_url: string;
  public: boolean;
  default_permissions: typeof GITHUB_APP_PERMISSIONS;
  default_events: string[];
}

/** `baseUrl` is where GitHub reaches this install: PUBLIC_URL, or the origin the page was opened on. */
export function buildGitHubAppManifest(options: { baseUrl: string; name: string }): GitHubAppManifest {
  const base = options.baseUrl.replace(/\/+$/, "");
  return {
    name: options.name,
    url: base,
    description: "Sentinel: how much AI-written code flows into your repositories, where it is risky, and whether it survives.",
    hook_attributes: { url: `${base}${WEBHOOK_PATH}`, active: true },
    redirect_url: `${base}${SETUP_CALLBACK_PATH}`,
    // The App's own OAuth client signs people in to Sentinel when GITHUB_CLIENT_ID is not set.
    callback_urls: [`${base}${SIGN_IN_CALLBACK_PATH}`],
    // After someone installs the App, GitHub sends them to the dashboard.
    setup_url: `${base}/dashboard`,
    public: false,
    default_permissions: GITHUB_APP_PERMISSIONS,
    default_events: [...GITHUB_APP_EVENTS],
  };
}

/** GitHub's "new App" page for a personal account, or for an organisation when one is named. */
export function manifestFormAction(options: { webUrl: string; organization: string | null; state: string }): string {
  const web = options.webUrl.replace(/\/+$/, "");
  const path = options.organization ? `/organizations/${encodeURIComponent(options.organization)}/settings/apps/new` : "/settings/apps/new";
  return `${web}${path}?state=${encodeURIComponent(options.state)}`;
}

/** Whether GitHub could deliver webhooks to this base URL at all (it cannot reach loopback or private hosts). */
export function isPubliclyReachable(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host === "::1" || host.endsWith(".local") || host.endsWith(".internal")) return false;
  const ipv4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(host);
  if (ipv4) {
    const [a, b] = [Number(ipv4[1]), Number(ipv4[2])];
    if (a === 127 || a === 10 || a === 0 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31) || (a === 169 && b === 254)) return false;
  }
  return true;
}

// GitHub: at most 34 characters; account logins: alphanumerics and single hyphens, at most 39.
export const registrationForm = z.object({
  name: z
    .string({ message: "Enter a name for the App" })
    .trim()
    .min(1, "Enter a name for the App")
    .max(34, "GitHub allows at most 34 characters"),
  organization: z
    .string()
    .trim()
    .max(39, "A GitHub account name has at most 39 characters")
    .regex(/^$|^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9]))*$/, "Letters, digits and single hyphens only: the organisation's name as in github.com/<name>")
    .optional()
    .transform((value) => (value ? value : null)),
});
export type RegistrationForm = z.infer<typeof registrationForm>;

export function newSetupState(): string {
  return randomBytes(24).toString("base64url");
}

/** Constant-time comparison of two strings of any length (each is hashed first). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The setup token for installs that are not in local mode: derived from the first SESSION_SECRET, so every web
 * replica prints and accepts the same one and it survives restarts, and it is exactly as strong as the secret that
 * already guards every session. It only opens the Setup page while no App is configured.
 */
export function setupTokenFor(env: Pick<Env, "sessionSecrets">): string {
  return createHmac("sha256", env.sessionSecrets[0] ?? "").update("sentinel-github-app-setup-token").digest("base64url").slice(0, 32);
}

const conversionAnswer = z.object({
  id: z.number().int().positive(),
  slug: z.string().min(1),
  name: z.string().min(1),
  owner: z.object({ login: z.string() }).nullable().optional(),
  html_url: z.string().url(),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  webhook_secret: z.string().min(1),
  pem: z.string().includes("-----BEGIN"),
});
export type ConvertedApp = z.infer<typeof conversionAnswer>;

export const manifestCode = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, "not a GitHub manifest code");

export type ConversionResult =
  | { ok: true; app: ConvertedApp }
  | { ok: false; code: "CODE_REJECTED" | "GITHUB_UNAVAILABLE" | "UNEXPECTED_ANSWER"; message: string };

/** `POST /app-manifests/{code}/conversions`: unauthenticated; the code is single-use and expires after an hour. */
export async function convertManifestCode(apiUrl: string, code: string, fetchImpl: typeof fetch = fetch): Promise<ConversionResult> {
  const url = `${apiUrl.replace(/\/+$/, "")}/app-manifests/${encodeURIComponent(code)}/conversions`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: "POST",
      headers: { Accept: "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "sentinel" },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    return { ok: false, code: "GITHUB_UNAVAILABLE", message: `GitHub could not be reached (${error instanceof Error ? error.message : String(error)}). Nothing was stored; start again.` };
  }
  if (response.status === 404 || response.status === 422) {
    return {
      ok: false,
      code: "CODE_REJECTED",
      message: `GitHub refused the code (${response.status}): it is used only once and expires after an hour. Nothing was stored; start again. If GitHub created the App, delete it under Settings → Developer settings → GitHub Apps first.`,
    };
  }
  if (!response.ok) {
    return { ok: false, code: "GITHUB_UNAVAILABLE", message: `GitHub answered ${response.status} to the code exchange. Nothing was stored; start again.` };
  }
  const parsed = conversionAnswer.safeParse(await response.json().catch(() => null));
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".") || "body"))].join(", ");
    return { ok: false, code: "UNEXPECTED_ANSWER", message: `GitHub's answer to the code exchange lacks ${fields}. Nothing was stored.` };
  }
  return { ok: true, app: parsed.data };
}

export type RegistrationResult =
  | { ok: true; app: { appId: number; slug: string; name: string; htmlUrl: string; installUrl: string } }
  | { ok: false; code: "NO_SECRET_KEY" | "ALREADY_CONFIGURED" | Extract<ConversionResult, { ok: false }>["code"]; message: string };

export function installUrlFor(webUrl: string, slug: string): string {
  return `${webUrl.replace(/\/+$/, "")}/apps/${encodeURIComponent(slug)}/installations/new`;
}

/**
 * The callback's use-case: exchange the code and store the App in one statement (all of it or nothing). Refuses
 * without SENTINEL_SECRET_KEY (a private key is never stored in plaintext) and when an App is already configured
 * (the environment's or a stored one: the single-row table also settles two callbacks racing).
 */
export async function completeGitHubAppRegistration(
  deps: { db: Database; env: Env; fetchImpl?: typeof fetch },
  input: { code: string; createdByUserId: string | null },
): Promise<RegistrationResult> {
  const { db, env } = deps;
  const secretKey = env.SENTINEL_SECRET_KEY;
  if (!secretKey) {
    return { ok: false, code: "NO_SECRET_KEY", message: "SENTINEL_SECRET_KEY is not set, so the App's private key cannot be stored encrypted. Set it and start again." };
  }
  const alreadyConfigured = "An App is already configured, so the one GitHub just created was not stored. Delete it on GitHub (Settings → Developer settings → GitHub Apps).";
  if ((await describeGitHubApp(env, db)).source !== "none") return { ok: false, code: "ALREADY_CONFIGURED", message: alreadyConfigured };
  const conversion = await convertManifestCode(env.GITHUB_API_URL, input.code, deps.fetchImpl);
  if (!conversion.ok) return conversion;
  const { app } = conversion;
  const inserted = await db
    .insert(githubAppCredentials)
    .values({
      appId: app.id,
      slug: app.slug,
      name: app.name,
      ownerLogin: app.owner?.login ?? null,
      htmlUrl: app.html_url,
      clientId: app.client_id,
      clientSecretEncrypted: sealGitHubAppSecret(app.client_secret, secretKey),
      webhookSecretEncrypted: sealGitHubAppSecret(app.webhook_secret, secretKey),
      privateKeyEncrypted: sealGitHubAppSecret(app.pem, secretKey),
      createdByUserId: input.createdByUserId,
    })
    .onConflictDoNothing({ target: githubAppCredentials.id })
    .returning({ appId: githubAppCredentials.appId });
  forgetStoredGitHubApp(db);
  if (inserted.length === 0) return { ok: false, code: "ALREADY_CONFIGURED", message: alreadyConfigured };
  return { ok: true, app: { appId: app.id, slug: app.slug, name: app.name, htmlUrl: app.html_url, installUrl: installUrlFor(env.GITHUB_WEB_URL, app.slug) } };
}

/** For `sentinel github-app remove`: forgets the stored App (it still exists on GitHub). Null when none was stored. */
export async function removeStoredGitHubApp(db: Database): Promise<{ appId: number; slug: string } | null> {
  const [removed] = await db.delete(githubAppCredentials).returning({ appId: githubAppCredentials.appId, slug: githubAppCredentials.slug });
  forgetStoredGitHubApp(db);
  return removed ?? null;
}

/**
 * At web start, while no App is configured: says where to register one. Outside local mode the line carries the
 * setup token the page asks for, so only someone who can read the server's log can register the App.
 */
export async function announceGitHubAppSetup(deps: { env: Env; db: Database; logger: Logger }, serverUrl: string): Promise<void> {
  const { env, db, logger } = deps;
  if ((await describeGitHubApp(env, db)).source !== "none") return;
  const setupUrl = `${(env.PUBLIC_URL ?? serverUrl).replace(/\/+$/, "")}/setup`;
  const localMode = !env.isProduction && !(await resolveOAuthClient(env, db));
  if (localMode) {
    logger.info({ setupUrl }, `No GitHub App configured yet: register one at ${setupUrl}`);
    return;
  }
  logger.warn({ setupUrl }, `No GitHub App configured yet: register one at ${setupUrl} with the setup token ${setupTokenFor(env)}`);
}
