import { generateKeyPairSync } from "node:crypto";
import { createGitHubApi, type GitHubApi } from "../../infrastructure/github/github-api.ts";
import { startFakeGitHub, type FakeGitHub } from "./github.ts";

let privateKey: string | undefined;

/** A throwaway RSA key: @octokit/app signs real JWTs with it; the fake does not check them. */
export function testPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
  return privateKey;
}

/** The local GitHub fake plus Sentinel's real client pointed at it (the GITHUB_API_URL path). */
export async function startTestGitHub(
  options: { latencyMs?: number; perInstallationConcurrency?: number; now?: () => number } = {},
): Promise<{ fake: FakeGitHub; api: GitHubApi }> {
  const fake = await startFakeGitHub({ latencyMs: options.latencyMs });
  const api = createGitHubApi(
    { appId: 12345, privateKey: testPrivateKey(), baseUrl: fake.url },
    { perInstallationConcurrency: options.perInstallationConcurrency, now: options.now },
  );
  return { fake, api };
}
