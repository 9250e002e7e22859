import { App } from "@octokit/app";
import { Octokit } from "@octokit/core";
import type { CommitSource } from "../../domain/ports.ts";
import type { GitHubListedCommit } from "../../domain/ingestion/history-plan.ts";
import { createKeyedLimiter } from "./concurrency.ts";
import type { GitHubAppCredentials } from "./credentials.ts";
import { createHttpFetch } from "./http-fetch.ts";
import { describeRefusal, GitHubAccessError, isInstallationTokenRequest, type GitHubRefusal } from "./access-refusal.ts";
import { isRateLimited, rateLimitError } from "./rate-limit.ts";

/**
 * Sentinel's GitHub REST client, as the App (JWT: webhook deliveries) and as each installation (tokens from
 * @octokit/app, cached until they expire). One retry layer only: errors are translated for the queue — a rate limit
 * (429, or a 403 GitHub marks as one) → RetryLaterError (delay, attempt kept); any other 403, a 451, and a 404 for a
 * repository the installation cannot see → GitHubAccessError (the job fails at once with GitHub's reason); a 404 for
 * a commit or range of a visible repository → "gone"; anything else thrown as is for the job's backoff.
 */

export interface RepositoryTarget {
  fullName: string;
  installationId: number | null;
}

export interface HookDelivery {
  id: number;
  guid: string;
  deliveredAt: string;
  redelivery: boolean;
  statusCode: number;
  event: string;
  action: string | null;
}

/** An organisation as its installation sees it: the account's login and the installation's id. */
export interface GitHubOrganizationTarget {
  installationId: number;
  org: string;
}

export interface GitHubTeam {
  id: number;
  slug: string;
  name: string;
}

export interface GitHubMember {
  id: number;
  login: string;
}

export interface GitHubApi extends CommitSource {
  /** Commits between two shas, oldest first, page by page (250 per page); null when GitHub no longer has the range. */
  compareCommits(repository: RepositoryTarget, before: string, after: string, page: number): Promise<{ commits: GitHubListedCommit[]; hasMore: boolean } | null>;
  /** One page (100) of a branch's history since a date, newest first; null when the repository or branch is gone. */
  listBranchCommits(
    repository: RepositoryTarget,
    options: { branch: string; since: string; page: number },
  ): Promise<{ commits: GitHubListedCommit[]; hasMore: boolean } | null>;
  /** The App's recent webhook deliveries, newest first (JWT). */
  listHookDeliveries(cursor: string | null): Promise<{ deliveries: HookDelivery[]; nextCursor: string | null }>;
  /** Asks GitHub to send a delivery again (JWT). */
  redeliver(hookDeliveryId: number): Promise<void>;
  /**
   * The organisation's teams, members of one team, members of the organisation (Members: read; every page). null when
   * GitHub answers 404 (the organisation or team is gone); a 403 (the permission not granted) is a GitHubAccessError.
   */
  listOrganizationTeams(target: GitHubOrganizationTarget): Promise<GitHubTeam[] | null>;
  listTeamMembers(target: GitHubOrganizationTarget, teamSlug: string): Promise<GitHubMember[] | null>;
  listOrganizationMembers(target: GitHubOrganizationTarget): Promise<GitHubMember[] | null>;
}

export { GitHubAccessError } from "./access-refusal.ts";

export class GitHubInstallationMissingError extends Error {
  override name = "GitHubInstallationMissingError";
}

interface HttpFailure {
  status: number;
  response?: { headers: Record<string, string | number | undefined>; data?: unknown };
  request?: { url?: string };
}

/** GitHub's answer inside an octokit RequestError; null for anything else (a network failure, a bug). */
function refusalOf(error: unknown): GitHubRefusal | null {
  if (!(error instanceof Error) || typeof (error as { status?: unknown }).status !== "number") return null;
  const failure = error as unknown as HttpFailure;
  const data = failure.response?.data;
  const message = typeof data === "object" && data !== null && typeof (data as { message?: unknown }).message === "string" ? (data as { message: string }).message : "";
  return { status: failure.status, headers: failure.response?.headers ?? {}, message, url: failure.request?.url ?? "" };
}

const MAX_FILE_PAGES = 10; // GitHub lists at most 3,000 files of a commit, 300 per page.
/** Teams and members are listed 100 a page; 200 pages (20,000 people or teams) bound a runaway Link chain. */
const MAX_LIST_PAGES = 200;
const REQUEST_TIMEOUT_MS = 20_000;

function nextLink(headers: Record<string, string | number | undefined>): boolean {
  return /rel="next"/.test(String(headers.link ?? ""));
}

/** A success body left unparsed by octokit (`parseSuccessResponseBody: false`): the bytes our fetch read. */
function parseJsonBody(body: unknown): unknown {
  if (Buffer.isBuffer(body)) return JSON.parse(body.toString("utf8"));
  if (typeof body === "string") return JSON.parse(body);
  return body;
}

function memberOf(row: Record<string, unknown>): GitHubMember {
  return { id: Number(row.id), login: String(row.login) };
}

function splitName(fullName: string): { owner: string; repo: string } {
  const [owner, repo] = fullName.split("/", 2);
  if (!owner || !repo) throw new Error(`not an owner/name repository: ${fullName}`);
  return { owner, repo };
}

export function createGitHubApi(
  credentials: GitHubAppCredentials,
  options: { perInstallationConcurrency?: number; now?: () => number } = {},
): GitHubApi {
  const now = options.now ?? Date.now;
  // Keep-alive node:http instead of the global fetch: less CPU per call (ADR 022).
  const fetch = createHttpFetch();
  const app = new App({
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    Octokit: Octokit.defaults({ baseUrl: credentials.baseUrl, userAgent: "sentinel", request: { fetch } }),
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  const installations = new Map<number, Promise<Octokit>>();
  const limit = createKeyedLimiter(options.perInstallationConcurrency ?? 4);
  const rateLimitStreak = new Map<string, number>();

  function installationOctokit(installationId: number): Promise<Octokit> {
    let octokit = installations.get(installationId);
    if (!octokit) {
      octokit = app.getInstallationOctokit(installationId).catch((error: unknown) => {
        installations.delete(installationId);
        throw error;
      }) as Promise<Octokit>;
      installations.set(installationId, octokit);
    }
    return octokit;
  }

  /**
   * A rate limit → RetryLaterError; a refusal that waiting does not fix → GitHubAccessError; null when the answer is
   * "not found" (the caller decides what a 404 means); anything else is thrown as it came.
   */
  function translate(error: unknown, key: string, what: string, repository: RepositoryTarget | null): GitHubAccessError | Error | null {
    const refusal = refusalOf(error);
    if (!refusal) return error as Error;
    if (isRateLimited(refusal.status, refusal.headers, refusal.message)) {
      const streak = (rateLimitStreak.get(key) ?? 0) + 1;
      rateLimitStreak.set(key, streak);
      return rateLimitError(what, refusal.status, refusal.headers, now(), streak);
    }
    if (refusal.status === 403 || refusal.status === 451 || (refusal.status === 404 && isInstallationTokenRequest(refusal.url))) {
      const subject = { repository: repository?.fullName ?? null, installationId: repository?.installationId ?? null, what };
      return new GitHubAccessError(describeRefusal(refusal, subject), subject.repository, refusal.status, new Date(now()));
    }
    if (refusal.status === 404 || refusal.status === 410 || refusal.status === 422) return null;
    return error as Error;
  }

  /**
   * Runs one logical call for an installation under its concurrency cap, translating GitHub's answers. For a
   * repository's call, a 404 is ambiguous: the commit or range is gone (force-pushed away: null), or the repository
   * itself is not visible to the installation (renamed, deleted, removed from the App's access), which GitHub also
   * answers 404. One look at the repository tells them apart.
   */
  async function call<T>(key: string, what: string, run: () => Promise<T>, repository: RepositoryTarget | null = null): Promise<T | null> {
    return limit(key, async () => {
      try {
        const value = await run();
        rateLimitStreak.delete(key);
        return value;
      } catch (error) {
        const translated = translate(error, key, what, repository);
        if (translated !== null) throw translated;
        if (repository === null) return null;
        try {
          const { owner, repo } = splitName(repository.fullName);
          const octokit = await forRepository(repository);
          await octokit.request("GET /repos/{owner}/{repo}", { owner, repo, request: { signal: signal() } });
        } catch (probeError) {
          const probed = translate(probeError, key, `GET /repos/${repository.fullName}`, repository);
          if (probed !== null) throw probed;
          const refusal = refusalOf(probeError)!;
          const subject = { repository: repository.fullName, installationId: repository.installationId, what };
          throw new GitHubAccessError(describeRefusal({ ...refusal, status: 404 }, subject), repository.fullName, 404, new Date(now()));
        }
        rateLimitStreak.delete(key);
        return null;
      }
    });
  }

  async function forRepository(repository: RepositoryTarget): Promise<Octokit> {
    if (repository.installationId === null) {
      throw new GitHubInstallationMissingError(`${repository.fullName} has no GitHub App installation`);
    }
    return installationOctokit(repository.installationId);
  }

  /** `call` for a request about one repository, made as its installation: `run` gets that client and the owner/name pair. */
  async function callForRepository<T>(
    repository: RepositoryTarget,
    what: string,
    run: (octokit: Octokit, target: { owner: string; repo: string }) => Promise<T>,
  ): Promise<T | null> {
    const target = splitName(repository.fullName);
    return call(`installation-${repository.installationId}`, what, async () => run(await forRepository(repository), target), repository);
  }

  const signal = () => AbortSignal.timeout(REQUEST_TIMEOUT_MS);

  /** Every page of an organisation list (per_page 100, following GitHub's Link header), as the installation. */
  async function listEveryPage<T>(
    target: GitHubOrganizationTarget,
    what: string,
    route: string,
    params: Record<string, string>,
    map: (row: Record<string, unknown>) => T,
  ): Promise<T[] | null> {
    return call(`installation-${target.installationId}`, what, async () => {
      const octokit = await installationOctokit(target.installationId);
      const rows: T[] = [];
      for (let page = 1; page <= MAX_LIST_PAGES; page += 1) {
        const response = await octokit.request(route, { ...params, per_page: 100, page, request: { signal: signal() } });
        rows.push(...(response.data as Array<Record<string, unknown>>).map(map));
        if (!nextLink(response.headers as Record<string, string | undefined>)) break;
      }
      return rows;
    });
  }

  return {
    async getCommit(repository, sha) {
      return callForRepository(repository, `GET /repos/${repository.fullName}/commits/${sha}`, async (octokit, target) => {
        // The body is parsed here with JSON.parse: octokit's parser keeps big integers exact, at several times the CPU
        // cost on a commit's patches, and nothing in a commit needs that.
        const request = () => ({ signal: signal(), parseSuccessResponseBody: false });
        const first = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...target, ref: sha, request: request() });
        const commit = parseJsonBody(first.data) as { files?: unknown[] };
        let more = nextLink(first.headers as Record<string, string | undefined>);
        // Past 300 files GitHub pages the file list; every page repeats the commit with the next files.
        for (let page = 2; more && page <= MAX_FILE_PAGES; page += 1) {
          const next = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...target, ref: sha, page, request: request() });
          commit.files = [...(commit.files ?? []), ...((parseJsonBody(next.data) as { files?: unknown[] }).files ?? [])];
          more = nextLink(next.headers as Record<string, string | undefined>);
        }
        return commit;
      });
    },

    async compareCommits(repository, before, after, page) {
      return callForRepository(repository, `GET /repos/${repository.fullName}/compare`, async (octokit, target) => {
        const response = await octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
          ...target,
          basehead: `${before}...${after}`,
          per_page: 250,
          page,
          request: { signal: signal() },
        });
        const data = response.data as { commits?: GitHubListedCommit[]; total_commits?: number };
        const commits = data.commits ?? [];
        const seen = (page - 1) * 250 + commits.length;
        return { commits, hasMore: commits.length > 0 && (nextLink(response.headers as Record<string, string | undefined>) || seen < (data.total_commits ?? 0)) };
      });
    },

    async listBranchCommits(repository, { branch, since, page }) {
      return callForRepository(repository, `GET /repos/${repository.fullName}/commits`, async (octokit, target) => {
        const response = await octokit.request("GET /repos/{owner}/{repo}/commits", { ...target, sha: branch, since, per_page: 100, page, request: { signal: signal() } });
        const commits = response.data as unknown as GitHubListedCommit[];
        return { commits, hasMore: nextLink(response.headers as Record<string, string | undefined>) };
      });
    },

    async listHookDeliveries(cursor) {
      const result = await call("app", "GET /app/hook/deliveries", async () => {
        const response = await app.octokit.request("GET /app/hook/deliveries", {
          per_page: 100,
          ...(cursor ? { cursor } : {}),
          request: { signal: signal() },
        });
        const link = String((response.headers as Record<string, string | undefined>).link ?? "");
        const next = /<([^>]+)>;\s*rel="next"/.exec(link);
        const nextCursor = next ? new URL(next[1]!).searchParams.get("cursor") : null;
        const deliveries = (response.data as Array<Record<string, unknown>>).map((row) => ({
          id: Number(row.id),
          guid: String(row.guid),
          deliveredAt: String(row.delivered_at),
          redelivery: row.redelivery === true,
          statusCode: Number(row.status_code),
          event: String(row.event),
          action: typeof row.action === "string" ? row.action : null,
        }));
        return { deliveries, nextCursor };
      });
      return result ?? { deliveries: [], nextCursor: null };
    },

    async listOrganizationTeams(target) {
      return listEveryPage(target, `GET /orgs/${target.org}/teams`, "GET /orgs/{org}/teams", { org: target.org }, (row) => ({
        id: Number(row.id),
        slug: String(row.slug),
        name: String(row.name),
      }));
    },

    async listTeamMembers(target, teamSlug) {
      return listEveryPage(target, `GET /orgs/${target.org}/teams/${teamSlug}/members`, "GET /orgs/{org}/teams/{team_slug}/members", { org: target.org, team_slug: teamSlug }, memberOf);
    },

    async listOrganizationMembers(target) {
      return listEveryPage(target, `GET /orgs/${target.org}/members`, "GET /orgs/{org}/members", { org: target.org }, memberOf);
    },

    async redeliver(hookDeliveryId) {
      await call("app", "POST /app/hook/deliveries/{id}/attempts", async () => {
        await app.octokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: hookDeliveryId, request: { signal: signal() } });
      });
    },
  };
}
