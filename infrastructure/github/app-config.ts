import type { Env } from "../config/env.ts";
import { openSealedSecret, sealSecret, SecretDecryptionError } from "../crypto/secret-box.ts";
import type { Database } from "../db/client.ts";
import { githubAppCredentials } from "../db/schema/index.ts";
import { GitHubCredentialsError, loadGitHubAppCredentials, type GitHubAppCredentials } from "./credentials.ts";

/**
 * Where the GitHub App's credentials come from: the environment first (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY,
 * GITHUB_WEBHOOK_SECRET, GITHUB_CLIENT_ID/SECRET), then the App registered on the Setup page and stored sealed in
 * `github_app_credentials`. The stored row is read through a per-database cache, so the webhook route does not
 * query for it on every delivery.
 */

/** Key-derivation label of the stored App's secrets (see crypto/secret-box.ts). */
export const GITHUB_APP_SECRET_PURPOSE = "sentinel-github-app";

export interface StoredGitHubApp {
  appId: number;
  slug: string;
  name: string;
  ownerLogin: string | null;
  htmlUrl: string;
  clientId: string;
  clientSecretEncrypted: string;
  webhookSecretEncrypted: string;
  privateKeyEncrypted: string;
  createdAt: Date;
}

/** A stored App is re-read after this long, so a change made by another process (or the CLI) is seen. */
const STORED_TTL_MS = 30_000;
/** "No App yet" is re-checked sooner: after the Setup page stores one, a worker process picks it up within seconds. */
const MISSING_TTL_MS = 5_000;

interface CacheEntry {
  app: Promise<StoredGitHubApp | null>;
  expiresAt: number;
}

/**
 * The cache hangs off the database handle under a registry symbol rather than in a module-level map: the Remix build
 * and the unbundled server code are two copies of this module (ADR 002) sharing one handle, so the Setup page's
 * store (Remix) clears the entry the webhook fast path and the workers (unbundled) read.
 */
const CACHE = Symbol.for("sentinel.storedGitHubApp");
type CacheHolder = { [CACHE]?: CacheEntry | undefined };
const holder = (db: Database) => db as unknown as CacheHolder;

/** The stored App (secrets still sealed), or null; cached. */
export function loadStoredGitHubApp(db: Database, now: () => number = Date.now): Promise<StoredGitHubApp | null> {
  const entry = holder(db)[CACHE];
  if (entry && entry.expiresAt > now()) return entry.app;
  const app = db
    .select({
      appId: githubAppCredentials.appId,
      slug: githubAppCredentials.slug,
      name: githubAppCredentials.name,
      ownerLogin: githubAppCredentials.ownerLogin,
      htmlUrl: githubAppCredentials.htmlUrl,
      clientId: githubAppCredentials.clientId,
      clientSecretEncrypted: githubAppCredentials.clientSecretEncrypted,
      webhookSecretEncrypted: githubAppCredentials.webhookSecretEncrypted,
      privateKeyEncrypted: githubAppCredentials.privateKeyEncrypted,
      createdAt: githubAppCredentials.createdAt,
    })
    .from(githubAppCredentials)
    .limit(1)
    .then((rows) => rows[0] ?? null);
  // Concurrent callers share the read in flight.
  const fresh: CacheEntry = { app, expiresAt: Number.POSITIVE_INFINITY };
  holder(db)[CACHE] = fresh;
  app.then(
    (found) => {
      if (holder(db)[CACHE] === fresh) fresh.expiresAt = now() + (found ? STORED_TTL_MS : MISSING_TTL_MS);
    },
    // A failed read is not cached: the next caller asks again.
    () => {
      if (holder(db)[CACHE] === fresh) holder(db)[CACHE] = undefined;
    },
  );
  return app;
}

/** After this process stored or removed the App: the next read goes to the database. */
export function forgetStoredGitHubApp(db: Database): void {
  holder(db)[CACHE] = undefined;
}

export function sealGitHubAppSecret(plaintext: string, key: string): string {
  return sealSecret(plaintext, key, GITHUB_APP_SECRET_PURPOSE);
}

export function openGitHubAppSecret(sealed: string, key: string | undefined, what: string): string {
  return openSealedSecret(sealed, key, GITHUB_APP_SECRET_PURPOSE, `the stored GitHub App's ${what}`);
}

type AppEnv = Pick<
  Env,
  | "GITHUB_APP_ID"
  | "GITHUB_APP_PRIVATE_KEY"
  | "GITHUB_APP_SLUG"
  | "GITHUB_WEBHOOK_SECRET"
  | "GITHUB_WEBHOOK_SECRET_PREVIOUS"
  | "GITHUB_CLIENT_ID"
  | "GITHUB_CLIENT_SECRET"
  | "GITHUB_API_URL"
  | "SENTINEL_SECRET_KEY"
>;

/** True when the environment configures the App (any of its three settings): then the stored row is not consulted. */
export function isGitHubAppConfiguredByEnv(env: Pick<Env, "GITHUB_APP_ID" | "GITHUB_APP_PRIVATE_KEY" | "GITHUB_WEBHOOK_SECRET">): boolean {
  return env.GITHUB_APP_ID !== undefined || env.GITHUB_APP_PRIVATE_KEY !== undefined || env.GITHUB_WEBHOOK_SECRET !== undefined;
}

/**
 * The webhook secrets to verify with (current first). The environment's when GITHUB_WEBHOOK_SECRET is set (no
 * database read at all), else the stored App's. Empty — every delivery refused — when there is none, or when the
 * stored one cannot be decrypted (`problem` says why, for the log).
 */
export async function resolveWebhookSecrets(env: AppEnv, db: Database): Promise<{ secrets: string[]; problem?: string }> {
  if (env.GITHUB_WEBHOOK_SECRET) {
    return { secrets: [env.GITHUB_WEBHOOK_SECRET, env.GITHUB_WEBHOOK_SECRET_PREVIOUS].filter((secret): secret is string => Boolean(secret)) };
  }
  const stored = await loadStoredGitHubApp(db);
  if (!stored) return { secrets: [] };
  try {
    return { secrets: [openGitHubAppSecret(stored.webhookSecretEncrypted, env.SENTINEL_SECRET_KEY, "webhook secret")] };
  } catch (error) {
    if (error instanceof SecretDecryptionError) return { secrets: [], problem: error.message };
    throw error;
  }
}

/**
 * The App's id and private key for the GitHub API: GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY, else the stored App.
 * Throws GitHubCredentialsError when the stored key cannot be decrypted (SENTINEL_SECRET_KEY unset or changed).
 */
export async function resolveGitHubAppCredentials(env: AppEnv, db: Database): Promise<GitHubAppCredentials | null> {
  const fromEnv = loadGitHubAppCredentials(env);
  if (fromEnv || isGitHubAppConfiguredByEnv(env)) return fromEnv;
  const stored = await loadStoredGitHubApp(db);
  if (!stored) return null;
  try {
    return {
      appId: stored.appId,
      privateKey: openGitHubAppSecret(stored.privateKeyEncrypted, env.SENTINEL_SECRET_KEY, "private key"),
      baseUrl: env.GITHUB_API_URL.replace(/\/+$/, ""),
    };
  } catch (error) {
    if (error instanceof SecretDecryptionError) throw new GitHubCredentialsError(error.message);
    throw error;
  }
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/**
 * "Sign in with GitHub" credentials: GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET, else the stored App's own OAuth
 * client (GitHub Apps can sign users in; the manifest registers Sentinel's callback URL). Null when neither exists,
 * when the environment configures the App (then the stored row is not consulted for anything), or when the stored
 * secret cannot be decrypted.
 */
export async function resolveOAuthClient(env: AppEnv, db: Database): Promise<OAuthClient | null> {
  if (env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET) return { clientId: env.GITHUB_CLIENT_ID, clientSecret: env.GITHUB_CLIENT_SECRET };
  if (isGitHubAppConfiguredByEnv(env)) return null;
  const stored = await loadStoredGitHubApp(db);
  if (!stored) return null;
  try {
    return { clientId: stored.clientId, clientSecret: openGitHubAppSecret(stored.clientSecretEncrypted, env.SENTINEL_SECRET_KEY, "client secret") };
  } catch (error) {
    if (error instanceof SecretDecryptionError) return null;
    throw error;
  }
}

/** What the Setup page shows about the configured App: never a secret. */
export type GitHubAppStatus =
  | { source: "none" }
  | { source: "env"; appId: number | null; slug: string | null }
  | {
      source: "stored";
      appId: number;
      slug: string;
      name: string;
      ownerLogin: string | null;
      htmlUrl: string;
      createdAt: string;
      /** Set when the stored secrets cannot be decrypted with the current SENTINEL_SECRET_KEY. */
      problem: string | null;
    };

export async function describeGitHubApp(env: AppEnv, db: Database): Promise<GitHubAppStatus> {
  if (isGitHubAppConfiguredByEnv(env)) return { source: "env", appId: env.GITHUB_APP_ID ?? null, slug: env.GITHUB_APP_SLUG ?? null };
  const stored = await loadStoredGitHubApp(db);
  if (!stored) return { source: "none" };
  let problem: string | null = null;
  try {
    // All three, so a half-readable row is reported rather than discovered by the first job that needs the key.
    openGitHubAppSecret(stored.privateKeyEncrypted, env.SENTINEL_SECRET_KEY, "private key");
    openGitHubAppSecret(stored.webhookSecretEncrypted, env.SENTINEL_SECRET_KEY, "webhook secret");
    openGitHubAppSecret(stored.clientSecretEncrypted, env.SENTINEL_SECRET_KEY, "client secret");
  } catch (error) {
    if (!(error instanceof SecretDecryptionError)) throw error;
    problem = error.message;
  }
  return {
    source: "stored",
    appId: stored.appId,
    slug: stored.slug,
    name: stored.name,
    ownerLogin: stored.ownerLogin,
    htmlUrl: stored.htmlUrl,
    createdAt: stored.createdAt.toISOString(),
    problem,
  };
}
