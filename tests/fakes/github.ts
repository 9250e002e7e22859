import http from "node:http";
import type { AddressInfo } from "node:net";
import type { GitHubCommitRecord } from "../fixtures/corpus.ts";

/**
 * A local stand-in for GitHub's REST API (node:http, loopback only) for tests, dev and the benchmark: installation
 * tokens, get a repository, get a commit (files paged past 300), list commits, compare, the App's webhook deliveries, and an
 * organisation's teams and members. Failures
 * are injected per route; every request is recorded.
 */

export interface FakeRepository {
  fullName: string;
  /** Branch history, newest first. */
  history: GitHubCommitRecord[];
}

export interface InjectedFailure {
  method?: string;
  /** Matched against the path without the query string. */
  path: RegExp;
  /** How many matching requests fail; then they succeed again. */
  times: number;
  /** Epoch ms after which the failure no longer applies (an outage "for a while"); unset: only `times` counts. */
  until?: number;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeHookDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status_code: number;
  status: string;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
}

/** A GitHub organisation's teams and members, as the teams sync reads them (Members: read). */
export interface FakeOrganization {
  teams: Array<{ id: number; slug: string; name: string; members: string[] }>;
  members: Array<{ id: number; login: string }>;
}

export interface FakeGitHub {
  url: string;
  requests: Array<{ method: string; path: string }>;
  tokensIssued: number;
  addRepository(repository: FakeRepository): void;
  addCommits(records: GitHubCommitRecord[]): void;
  fail(failure: InjectedFailure): void;
  /** The App's delivery log, newest first, as GitHub lists it. */
  hookDeliveries: FakeHookDelivery[];
  /** Adds one attempt at the head of the log (a new id, `delivered_at` now), as GitHub does for each try. */
  recordHookDelivery(attempt: Omit<FakeHookDelivery, "id" | "delivered_at" | "status"> & { status?: string }): FakeHookDelivery;
  /** Called when Sentinel asks for a redelivery. */
  onRedeliver?: (delivery: FakeHookDelivery) => void | Promise<void>;
  /** Organisations by login (case-insensitive) for `/orgs/{org}/teams`, `/orgs/{org}/teams/{slug}/members`, `/orgs/{org}/members`. */
  setOrganization(login: string, organization: FakeOrganization): void;
  /** Added to every answer, to model network latency. */
  latencyMs: number;
  /** Most requests in flight at once, per installation token (Authorization header). */
  maxInFlight: Map<string, number>;
  close(): Promise<void>;
}

const FILES_PER_PAGE = 300;

export async function startFakeGitHub(options: { latencyMs?: number } = {}): Promise<FakeGitHub> {
  const commits = new Map<string, GitHubCommitRecord>();
  const repositories = new Map<string, FakeRepository>();
  const failures: InjectedFailure[] = [];
  const organizations = new Map<string, FakeOrganization>();
  let nextHookDeliveryId = 0;

  const fake: FakeGitHub = {
    url: "",
    requests: [],
    tokensIssued: 0,
    hookDeliveries: [],
    latencyMs: options.latencyMs ?? 0,
    maxInFlight: new Map(),
    addRepository(repository) {
      repositories.set(repository.fullName.toLowerCase(), repository);
      for (const record of repository.history) commits.set(record.sha, record);
    },
    addCommits(records) {
      for (const record of records) commits.set(record.sha, record);
    },
    fail(failure) {
      failures.push({ ...failure });
    },
    setOrganization(login, organization) {
      organizations.set(login.toLowerCase(), organization);
    },
    recordHookDelivery(attempt) {
      nextHookDeliveryId += 1;
      const row: FakeHookDelivery = {
        ...attempt,
        id: nextHookDeliveryId,
        delivered_at: new Date().toISOString(),
        status: attempt.status ?? (attempt.status_code >= 200 && attempt.status_code < 300 ? "OK" : `Invalid HTTP Response: ${attempt.status_code}`),
      };
      fake.hookDeliveries.unshift(row);
      return row;
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };

  function send(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? "" : JSON.stringify(body);
    response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    response.end(text);
  }

  function link(url: URL, page: number, hasNext: boolean): Record<string, string> {
    if (!hasNext) return {};
    const next = new URL(url.toString(), fake.url);
    next.searchParams.set("page", String(page + 1));
    return { link: `<${fake.url}${next.pathname}${next.search}>; rel="next"` };
  }

  function listed(record: GitHubCommitRecord) {
    return { sha: record.sha, commit: record.commit, author: record.author, parents: record.parents };
  }

  async function route(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://fake");
    const method = request.method ?? "GET";
    fake.requests.push({ method, path: url.pathname });
    for await (const _chunk of request) {
      // drain the body
    }
    if (fake.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.latencyMs));
    const failure = failures.find(
      (candidate) =>
        candidate.times > 0 &&
        (candidate.until === undefined || Date.now() < candidate.until) &&
        (!candidate.method || candidate.method === method) &&
        candidate.path.test(url.pathname),
    );
    if (failure) {
      failure.times -= 1;
      return send(response, failure.status, failure.body ?? { message: "injected failure" }, failure.headers);
    }
    const page = Math.max(1, Number(url.searchParams.get("page") ?? "1") || 1);
    let match: RegExpExecArray | null;

    if (method === "POST" && (match = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname))) {
      fake.tokensIssued += 1;
      return send(response, 201, {
        token: `ghs_fake_${match[1]}_${fake.tokensIssued}`,
        expires_at: new Date(Date.now() + 60 * 60_000).toISOString(),
        permissions: { contents: "read", metadata: "read" },
        repository_selection: "all",
      });
    }
    if (method === "GET" && url.pathname === "/app/hook/deliveries") {
      const perPage = Number(url.searchParams.get("per_page") ?? "30");
      // The cursor names the last row of the previous page (stable while new attempts are added at the head).
      const cursor = url.searchParams.get("cursor");
      const after = cursor === null ? -1 : fake.hookDeliveries.findIndex((row) => String(row.id) === cursor);
      const start = cursor === null ? 0 : after === -1 ? fake.hookDeliveries.length : after + 1;
      const rows = fake.hookDeliveries.slice(start, start + perPage);
      const more = start + perPage < fake.hookDeliveries.length;
      return send(response, 200, rows, more ? { link: `<${fake.url}/app/hook/deliveries?per_page=${perPage}&cursor=${rows.at(-1)!.id}>; rel="next"` } : {});
    }
    if (method === "POST" && (match = /^\/app\/hook\/deliveries\/(\d+)\/attempts$/.exec(url.pathname))) {
      const delivery = fake.hookDeliveries.find((row) => row.id === Number(match![1]));
      if (!delivery) return send(response, 404, { message: "Not Found" });
      send(response, 202, {});
      await fake.onRedeliver?.(delivery);
      return;
    }
    if (method === "GET" && (match = /^\/repos\/([^/]+)\/([^/]+)$/.exec(url.pathname))) {
      // Every repository is visible to every installation here; a test makes one invisible with an injected 404.
      const fullName = `${decodeURIComponent(match[1]!)}/${decodeURIComponent(match[2]!)}`;
      return send(response, 200, { full_name: fullName, name: decodeURIComponent(match[2]!), default_branch: "main", private: true });
    }
    if (method === "GET" && (match = /^\/repos\/([^/]+\/[^/]+)\/commits\/([^/]+)$/.exec(url.pathname))) {
      const record = commits.get(decodeURIComponent(match[2]!));
      if (!record) return send(response, 404, { message: "No commit found for SHA" });
      const files = record.files.slice((page - 1) * FILES_PER_PAGE, page * FILES_PER_PAGE);
      return send(response, 200, { ...record, files }, link(url, page, record.files.length > page * FILES_PER_PAGE));
    }
    if (method === "GET" && (match = /^\/repos\/([^/]+\/[^/]+)\/commits$/.exec(url.pathname))) {
      const repository = repositories.get(decodeURIComponent(match[1]!).toLowerCase());
      if (!repository) return send(response, 404, { message: "Not Found" });
      const since = Date.parse(url.searchParams.get("since") ?? "1970-01-01T00:00:00Z");
      const perPage = Math.min(100, Number(url.searchParams.get("per_page") ?? "30"));
      const inRange = repository.history.filter((record) => Date.parse(record.commit.committer.date) >= since);
      const rows = inRange.slice((page - 1) * perPage, page * perPage);
      return send(response, 200, rows.map(listed), link(url, page, inRange.length > page * perPage));
    }
    if (method === "GET" && (match = /^\/repos\/([^/]+\/[^/]+)\/compare\/([^.]+)\.\.\.(.+)$/.exec(url.pathname))) {
      const repository = repositories.get(decodeURIComponent(match[1]!).toLowerCase());
      if (!repository) return send(response, 404, { message: "Not Found" });
      const headIndex = repository.history.findIndex((record) => record.sha === match![3]);
      const baseIndex = repository.history.findIndex((record) => record.sha === match![2]);
      if (headIndex === -1) return send(response, 404, { message: "Not Found" });
      const between = repository.history.slice(headIndex, baseIndex === -1 ? undefined : baseIndex).reverse();
      const perPage = Math.min(250, Number(url.searchParams.get("per_page") ?? "250"));
      const rows = between.slice((page - 1) * perPage, page * perPage);
      return send(
        response,
        200,
        { status: "ahead", total_commits: between.length, commits: rows.map(listed), files: [] },
        link(url, page, between.length > page * perPage),
      );
    }
    if (method === "GET" && (match = /^\/orgs\/([^/]+)\/(teams|members)(?:\/([^/]+)\/members)?$/.exec(url.pathname))) {
      const organization = organizations.get(decodeURIComponent(match[1]!).toLowerCase());
      if (!organization) return send(response, 404, { message: "Not Found" });
      const team = match[3] === undefined ? null : organization.teams.find((candidate) => candidate.slug === decodeURIComponent(match![3]!));
      if (match[2] === "members" && match[3] !== undefined) return send(response, 404, { message: "Not Found" });
      if (match[3] !== undefined && !team) return send(response, 404, { message: "Not Found" });
      const all: unknown[] = team
        ? team.members.map((login) => organization.members.find((member) => member.login === login) ?? { id: 0, login })
        : match[2] === "teams"
          ? organization.teams.map(({ id, slug, name }) => ({ id, slug, name }))
          : organization.members;
      // GitHub's default page is 30, at most 100.
      const perPage = Math.min(100, Number(url.searchParams.get("per_page") ?? "30"));
      return send(response, 200, all.slice((page - 1) * perPage, page * perPage), link(url, page, all.length > page * perPage));
    }
    return send(response, 404, { message: `fake GitHub has no route for ${method} ${url.pathname}` });
  }

  const inFlight = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const auth = request.headers.authorization ?? "none";
    inFlight.set(auth, (inFlight.get(auth) ?? 0) + 1);
    fake.maxInFlight.set(auth, Math.max(fake.maxInFlight.get(auth) ?? 0, inFlight.get(auth)!));
    response.on("close", () => inFlight.set(auth, inFlight.get(auth)! - 1));
    route(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { message: error instanceof Error ? error.message : String(error) });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
