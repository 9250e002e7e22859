import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RetryLaterError } from "../queue/index.ts";
import { GitHubAccessError } from "./access-refusal.ts";
import { loadCorpusCommits, recentHistory, type GitHubCommitRecord } from "../../tests/fixtures/corpus.ts";
import type { FakeGitHub } from "../../tests/fakes/github.ts";
import type { GitHubApi } from "./github-api.ts";
import { MIN_RATE_LIMIT_DELAY_MS, rateLimitDelayMs } from "./rate-limit.ts";
import { startTestGitHub } from "../../tests/fakes/github-client.ts";

let fake: FakeGitHub;
let api: GitHubApi;
const repo = { fullName: "octo-org/api", installationId: 101 };
let records: GitHubCommitRecord[];

beforeAll(async () => {
  ({ fake, api } = await startTestGitHub({ perInstallationConcurrency: 3 }));
  records = loadCorpusCommits(30);
  fake.addCommits(records);
});

afterAll(async () => {
  await fake?.close();
});

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("GitHub API client against a local fake (GITHUB_API_URL)", () => {
  it("serves a commit in GitHub's shape and reuses one installation token until it expires", async () => {
    const before = fake.tokensIssued;
    for (const record of records.slice(0, 10)) {
      const commit = (await api.getCommit(repo, record.sha)) as { sha: string };
      expect(commit.sha).toBe(record.sha);
    }
    expect(fake.tokensIssued - before).toBe(1);
  });

  it("pages a commit's files past the first 300", async () => {
    const source = records[0]!;
    const files = Array.from({ length: 650 }, (_, index) => ({ ...source.files[0], filename: `src/generated/file-${index}.ts` }));
    fake.addCommits([{ ...source, sha: "f".repeat(40), files }]);
    const requestsBefore = fake.requests.length;
    const commit = (await api.getCommit(repo, "f".repeat(40))) as { files: Array<{ filename: string }> };
    expect(commit.files).toHaveLength(650);
    expect(new Set(commit.files.map((file) => file.filename)).size).toBe(650);
    expect(fake.requests.slice(requestsBefore).filter((request) => request.path.includes("/commits/"))).toHaveLength(3);
  });

  it("404 (force-pushed away) → null, not an error", async () => {
    expect(await api.getCommit(repo, "0123456789abcdef0123456789abcdef01234567")).toBeNull();
  });

  it("429 with retry-after → RetryLaterError for that long", async () => {
    fake.fail({ path: /\/commits\//, times: 1, status: 429, headers: { "retry-after": "7" } });
    const error = await caught(api.getCommit(repo, records[1]!.sha));
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).delayMs).toBe(7000);
  });

  it("403 with the quota spent → waits until x-ratelimit-reset", async () => {
    const reset = Math.floor(Date.now() / 1000) + 120;
    fake.fail({ path: /\/commits\//, times: 1, status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) } });
    const error = (await caught(api.getCommit(repo, records[2]!.sha))) as RetryLaterError;
    expect(error).toBeInstanceOf(RetryLaterError);
    expect(error.delayMs).toBeGreaterThan(115_000);
    expect(error.delayMs).toBeLessThanOrEqual(122_000);
  });

  it("403 secondary limit without headers → at least a minute, doubling while it repeats", async () => {
    expect(await api.getCommit(repo, records[5]!.sha)).not.toBeNull(); // a success ends earlier streaks
    fake.fail({ path: /\/commits\//, times: 2, status: 403, body: { message: "You have exceeded a secondary rate limit" } });
    const first = (await caught(api.getCommit(repo, records[3]!.sha))) as RetryLaterError;
    const second = (await caught(api.getCommit(repo, records[3]!.sha))) as RetryLaterError;
    expect(first.delayMs).toBe(MIN_RATE_LIMIT_DELAY_MS);
    expect(second.delayMs).toBe(2 * MIN_RATE_LIMIT_DELAY_MS);
    expect(await api.getCommit(repo, records[3]!.sha)).not.toBeNull();
    expect(rateLimitDelayMs({ "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" }, Date.parse("2015-10-21T07:27:30Z"))).toBe(30_000);
  });

  it("5xx → an ordinary error, left to the job's exponential backoff", async () => {
    fake.fail({ path: /\/commits\//, times: 1, status: 502 });
    const error = await caught(api.getCommit(repo, records[4]!.sha));
    expect(error).not.toBeInstanceOf(RetryLaterError);
    expect((error as { status?: number }).status).toBe(502);
  });

  it("keeps at most a few requests per installation in flight", async () => {
    fake.latencyMs = 30;
    fake.maxInFlight.clear();
    await Promise.all(records.slice(0, 12).map((record) => api.getCommit({ fullName: "octo-org/other", installationId: 202 }, record.sha)));
    fake.latencyMs = 0;
    const perToken = [...fake.maxInFlight.entries()].filter(([auth]) => auth.includes("202"));
    expect(perToken.length).toBeGreaterThan(0);
    for (const [, max] of perToken) expect(max).toBeLessThanOrEqual(3);
  });

  it("pages the compare API (250 per page) and a branch listing since a date (100 per page)", async () => {
    const history = recentHistory(600, { now: new Date(), salt: "compare" });
    fake.addRepository({ fullName: "octo-org/big", history });
    const target = { fullName: "octo-org/big", installationId: 101 };
    const seen: string[] = [];
    for (let page = 1; ; page += 1) {
      const result = await api.compareCommits(target, history[550]!.sha, history[0]!.sha, page);
      seen.push(...result!.commits.map((commit) => commit.sha));
      if (!result!.hasMore) break;
    }
    expect(seen).toHaveLength(550);
    expect(seen.at(-1)).toBe(history[0]!.sha);
    const listed = await api.listBranchCommits(target, { branch: "main", since: new Date(Date.now() - 90 * 86_400_000).toISOString(), page: 1 });
    expect(listed!.commits).toHaveLength(100);
    expect(listed!.hasMore).toBe(true);
  });
});

describe("GitHub refusals that waiting does not fix, told apart from rate limits", () => {
  // The client's clock is stopped: rate-limit waits computed from x-ratelimit-reset do not depend on today.
  const NOW = Date.parse("2026-03-02T10:00:00Z");
  let refusing: { fake: FakeGitHub; api: GitHubApi };
  const target = { fullName: "octo-org/locked", installationId: 303 };

  beforeAll(async () => {
    refusing = await startTestGitHub({ now: () => NOW });
    refusing.fake.addCommits(records);
  });

  afterAll(async () => {
    await refusing?.fake.close();
  });

  /** Requests the fake answered on paths matching `path`, from `since` on. */
  const requestsTo = (path: RegExp, since: number) => refusing.fake.requests.slice(since).filter((request) => path.test(request.path));

  it("a 403 'Resource not accessible by integration' with quota left fails at once with the reason, after one request", async () => {
    const sha = records[10]!.sha;
    const before = refusing.fake.requests.length;
    refusing.fake.fail({
      path: new RegExp(`/commits/${sha}$`),
      times: 5,
      status: 403,
      headers: { "x-ratelimit-remaining": "4987", "x-ratelimit-reset": String(NOW / 1000 + 3600) },
      body: { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest/commits/commits#get-a-commit" },
    });
    const error = await caught(refusing.api.getCommit(target, sha));
    expect(error).toBeInstanceOf(GitHubAccessError);
    expect(error).not.toBeInstanceOf(RetryLaterError);
    const refusal = error as GitHubAccessError;
    expect(refusal.reason).toMatch(/^the App lacks Contents: read on octo-org\/locked/);
    expect(refusal.reason).toContain("Resource not accessible by integration");
    expect(refusal).toMatchObject({ repository: "octo-org/locked", status: 403, at: new Date(NOW) });
    expect(requestsTo(/\/commits\//, before)).toHaveLength(1);
  });

  it("SAML enforcement, an IP allow list, a suspended installation and an uninstalled one each say so", async () => {
    refusing.fake.fail({
      path: new RegExp(`/commits/${records[11]!.sha}$`),
      times: 1,
      status: 403,
      headers: { "x-github-sso": "required; url=https://github.com/orgs/octo-org/sso?authorization_request=abc" },
      body: { message: "Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization." },
    });
    const saml = (await caught(refusing.api.getCommit(target, records[11]!.sha))) as GitHubAccessError;
    expect(saml.reason).toMatch(/^SAML enforcement: octo-org requires SAML single sign-on/);

    refusing.fake.fail({
      path: /\/compare\//,
      times: 1,
      status: 403,
      body: { message: "Although you appear to have the correct authorization credentials, the `octo-org` organization has an IP allow list enabled, and your IP address is not permitted to access this resource." },
    });
    const allowList = (await caught(refusing.api.compareCommits(target, records[1]!.sha, records[0]!.sha, 1))) as GitHubAccessError;
    expect(allowList.reason).toMatch(/^octo-org's IP allow list does not include this Sentinel server/);

    refusing.fake.fail({ method: "POST", path: /^\/app\/installations\/404\/access_tokens$/, times: 1, status: 403, body: { message: "This installation has been suspended" } });
    const suspended = (await caught(refusing.api.getCommit({ fullName: "octo-org/paused", installationId: 404 }, records[12]!.sha))) as GitHubAccessError;
    expect(suspended).toBeInstanceOf(GitHubAccessError);
    expect(suspended.reason).toMatch(/^the GitHub App installation on octo-org is suspended/);

    refusing.fake.fail({ method: "POST", path: /^\/app\/installations\/405\/access_tokens$/, times: 1, status: 404, body: { message: "Not Found" } });
    const uninstalled = (await caught(refusing.api.getCommit({ fullName: "octo-org/paused", installationId: 405 }, records[12]!.sha))) as GitHubAccessError;
    expect(uninstalled).toBeInstanceOf(GitHubAccessError);
    expect(uninstalled.reason).toMatch(/^the GitHub App installation 405 on octo-org no longer exists/);
  });

  it("a 404 for a repository the installation cannot see fails with 'not found or not visible'; a vanished commit is still null", async () => {
    const before = refusing.fake.requests.length;
    refusing.fake.fail({ path: /^\/repos\/octo-org\/renamed\//, times: 1, status: 404, body: { message: "Not Found" } });
    refusing.fake.fail({ path: /^\/repos\/octo-org\/renamed$/, times: 1, status: 404, body: { message: "Not Found" } });
    const hidden = (await caught(refusing.api.getCommit({ fullName: "octo-org/renamed", installationId: 303 }, records[13]!.sha))) as GitHubAccessError;
    expect(hidden).toBeInstanceOf(GitHubAccessError);
    expect(hidden.reason).toMatch(/^octo-org\/renamed not found or not visible to the installation/);
    expect(requestsTo(/^\/repos\/octo-org\/renamed/, before).map((request) => request.path)).toEqual([
      `/repos/octo-org/renamed/commits/${records[13]!.sha}`,
      "/repos/octo-org/renamed",
    ]);
    expect(await refusing.api.getCommit(target, "0123456789abcdef0123456789abcdef01234567")).toBeNull();
  });

  it("a 403 with the quota spent, a 429 with retry-after, and a 403 secondary limit still wait, then succeed", async () => {
    const sha = records[14]!.sha;
    const path = new RegExp(`/commits/${sha}$`);
    const before = refusing.fake.requests.length;
    refusing.fake.fail({ path, times: 1, status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 30) }, body: { message: "API rate limit exceeded for installation ID 303." } });
    refusing.fake.fail({ path, times: 1, status: 429, headers: { "retry-after": "2" }, body: { message: "Too many requests" } });
    refusing.fake.fail({ path, times: 1, status: 403, body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." } });
    const waits: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const error = await caught(refusing.api.getCommit(target, sha));
      expect(error).toBeInstanceOf(RetryLaterError);
      waits.push((error as RetryLaterError).delayMs);
    }
    // Reset 30 s ahead (+1 s of drift); retry-after 2 s; the secondary limit's minimum, doubled on the third hit in a row.
    expect(waits).toEqual([31_000, 2_000, 4 * MIN_RATE_LIMIT_DELAY_MS]);
    expect(((await refusing.api.getCommit(target, sha)) as { sha: string }).sha).toBe(sha);
    expect(requestsTo(path, before)).toHaveLength(4);
  });
});
