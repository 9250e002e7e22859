import { readFileSync } from "node:fs";
import path from "node:path";
import type { Env } from "../config/env.ts";

export interface GitHubAppCredentials {
  appId: number;
  privateKey: string;
  baseUrl: string;
}

export class GitHubCredentialsError extends Error {
  override name = "GitHubCredentialsError";
}

/**
 * The App's credentials from the environment, or null when the App is not configured (demo and local-import
 * installs). GITHUB_APP_PRIVATE_KEY is the PEM itself (literal "\n" allowed, as .env files and some secret stores
 * need), or a path to the .pem file GitHub let you download.
 */
export function loadGitHubAppCredentials(env: Pick<Env, "GITHUB_APP_ID" | "GITHUB_APP_PRIVATE_KEY" | "GITHUB_API_URL">, cwd = process.cwd()): GitHubAppCredentials | null {
  if (env.GITHUB_APP_ID === undefined || env.GITHUB_APP_PRIVATE_KEY === undefined) return null;
  let key = env.GITHUB_APP_PRIVATE_KEY.trim();
  if (!key.includes("-----BEGIN")) {
    const file = path.resolve(cwd, key);
    try {
      key = readFileSync(file, "utf8").trim();
    } catch (error) {
      throw new GitHubCredentialsError(
        `GITHUB_APP_PRIVATE_KEY is neither a PEM key nor a readable file (${file}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"})`,
      );
    }
    if (!key.includes("-----BEGIN")) throw new GitHubCredentialsError(`GITHUB_APP_PRIVATE_KEY file ${file} does not hold a PEM key`);
  }
  return { appId: env.GITHUB_APP_ID, privateKey: key.replace(/\\n/g, "\n"), baseUrl: env.GITHUB_API_URL.replace(/\/+$/, "") };
}
