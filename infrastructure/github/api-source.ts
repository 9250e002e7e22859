import type { Env } from "../config/env.ts";
import type { Database } from "../db/client.ts";
import { resolveGitHubAppCredentials } from "./app-config.ts";
import { loadGitHubAppCredentials } from "./credentials.ts";
import { createGitHubApi, type GitHubApi } from "./github-api.ts";

/**
 * What the jobs get to reach GitHub: a fixed client (or null: no App), or a function that resolves the client when
 * a job needs it. The function form lets a worker started before the App was registered on the Setup page use it
 * without a restart.
 */
export type GitHubApiSource = GitHubApi | null | (() => Promise<GitHubApi | null>);

export async function resolveGitHubApi(source: GitHubApiSource): Promise<GitHubApi | null> {
  return typeof source === "function" ? source() : source;
}

/**
 * The client from GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY when set (built once), else from the stored App, resolved
 * per use through the stored App's cache and rebuilt only when the credentials change.
 */
export function githubApiSourceFor(deps: { env: Env; db: Database }): GitHubApiSource {
  const fromEnv = loadGitHubAppCredentials(deps.env);
  if (fromEnv) return createGitHubApi(fromEnv);
  let current: { appId: number; privateKey: string; baseUrl: string; api: GitHubApi } | null = null;
  return async () => {
    const credentials = await resolveGitHubAppCredentials(deps.env, deps.db);
    if (!credentials) return null;
    if (!current || current.appId !== credentials.appId || current.privateKey !== credentials.privateKey || current.baseUrl !== credentials.baseUrl) {
      // A new client drops the old one's cached installation tokens, which belonged to the previous App.
      current = { ...credentials, api: createGitHubApi(credentials) };
    }
    return current.api;
  };
}
