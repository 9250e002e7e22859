/**
 * What `npm run bench` requests over HTTP: the dashboard's pages (their loaders' data, then the rendered document) and
 * the API's endpoints, as data. A path whose route is not in the build (a page still being written) is reported as
 * "skipped: route not found" instead of failing the run; `routeOf` tells, the way Remix's router would match it.
 */

export interface BenchTargets {
  busiestRepoId: string;
  busiestRepoName: string;
  eventId: number;
  incidentId: string;
  /** The history's last day (YYYY-MM-DD): the new-incident form starts at its evening. */
  lastDay: string;
  /** The busiest repository's latest merged pull request, when it has one. */
  pullRequestNumber: number | null;
  /** The organisation's largest team, when it has teams. */
  teamId: string | null;
  /** The newest alert of the busiest repository, when it has one. */
  alertId: string | null;
  /** The busiest repository's file with the most attribution rows (its file page), when it has one. */
  filePath: string | null;
}

export interface BenchPage {
  page: string;
  /** Path and query, from the site's root; null when the data set has nothing to show on it (the reason in `missing`). */
  path: string | null;
  missing?: string;
  /** A dashboard page (signed in with the session cookie) or an API endpoint (an API key). */
  kind: "page" | "api";
}

/** Every page and endpoint measured, in the order of the report. */
export function benchPages(targets: BenchTargets): BenchPage[] {
  const repo = targets.busiestRepoId;
  const page = (name: string, path: string | null, missing?: string): BenchPage => ({ page: name, path, kind: "page", ...(path === null ? { missing } : {}) });
  const api = (name: string, path: string | null, missing?: string): BenchPage => ({ page: name, path, kind: "api", ...(path === null ? { missing } : {}) });
  const pr = targets.pullRequestNumber;
  const noPr = "no merged pull request in the busiest repository";
  const noTeam = "no team in the data set (regenerate it: npm run bench -- --regenerate)";
  return [
    page("Overview (with the AI tools card)", "/dashboard"),
    page(`Repository (busiest: ${targets.busiestRepoName})`, `/repos/${repo}`),
    page("Events", "/events"),
    page("Events, filtered (repository, commits, AI ≥ 0.9)", `/events?repo=${repo}&type=commit&minConfidence=0.9`),
    page("Event (commit)", `/events/${targets.eventId}`),
    page("Incidents", "/incidents"),
    page("Incident", `/incidents/${targets.incidentId}`),
    page("New incident (suspects)", `/incidents/new?repo=${repo}&startedAt=${targets.lastDay}T18:00`),
    page("Alerts", "/alerts"),
    page("Alert (busiest repository's newest)", targets.alertId === null ? null : `/alerts/${targets.alertId}`, "no alert in the busiest repository"),
    page(
      "File (busiest repository's busiest file, 90 days)",
      targets.filePath === null ? null : `/repos/${repo}/files?${new URLSearchParams({ path: targets.filePath }).toString()}`,
      "no analysed file in the busiest repository",
    ),
    page("Pull requests", "/pulls"),
    page("Pull requests, AI-assisted, one repository, 365 days", `/pulls?kind=ai&repo=${repo}&days=365`),
    page("Pull request (busiest repository's latest merged)", pr === null ? null : `/repos/${repo}/pulls/${pr}`, noPr),
    page("Teams", "/teams"),
    page("Team (largest)", targets.teamId === null ? null : `/teams/${targets.teamId}`, noTeam),
    ...["api-keys", "risk", "alerts", "channels", "members", "teams", "queues"].map((name) => page(`Settings → ${name}`, `/settings/${name}`)),
    api("API: pull requests", "/api/v1/pulls"),
    api("API: pull request", pr === null ? null : `/api/v1/repos/${repo}/pulls/${pr}`, noPr),
    api("API: teams", "/api/v1/teams"),
    api("API: team", targets.teamId === null ? null : `/api/v1/teams/${targets.teamId}`, noTeam),
    api("API: AI tools, 90 days", "/api/v1/tools"),
    api("API: AI tools, 365 days", "/api/v1/tools?days=365"),
    api("API: DORA, 90 days", "/api/v1/dora"),
    api("API: repository DORA, 365 days", `/api/v1/repos/${repo}/dora?days=365`),
  ];
}

/** A route of the server build (`build.routes`): Remix's manifest entry. */
export interface BuildRoute {
  id: string;
  parentId?: string;
  path?: string;
  index?: boolean;
}

/** A route's full path pattern: its own path under its parents'. */
function fullPathOf(route: BuildRoute, routes: Readonly<Record<string, BuildRoute>>): string {
  const segments: string[] = [];
  for (let current: BuildRoute | undefined = route; current; current = current.parentId ? routes[current.parentId] : undefined) {
    if (current.path) segments.unshift(current.path);
  }
  return segments.join("/").replace(/\/+/g, "/").replace(/^\/|\/$/g, "");
}

function segmentMatches(pattern: string, segment: string): boolean {
  if (pattern.startsWith(":")) return segment.length > 0;
  // Remix escapes literal dots of a route file name ("openapi[.]json") into the path as they are: compare as text.
  return pattern === decodeURIComponent(segment);
}

/**
 * The id of the route that renders `pathname` (exact match, parameters by position), or null when only a catch-all
 * (`*`, the API's JSON 404) or nothing would answer it: then the page is not written yet. Routes without a path of
 * their own (layouts) never end a match; an index route ends its parent's.
 */
export function routeOf(routes: Readonly<Record<string, BuildRoute>>, pathname: string): string | null {
  const wanted = pathname.replace(/^\/|\/$/g, "").split("/").filter(Boolean);
  let best: { id: string; literals: number } | null = null;
  for (const route of Object.values(routes)) {
    if (!route.path && !route.index) continue;
    const pattern = fullPathOf(route, routes).split("/").filter(Boolean);
    if (pattern.includes("*") || pattern.length !== wanted.length) continue;
    if (!pattern.every((part, index) => segmentMatches(part, wanted[index]!))) continue;
    // Literal segments win over parameters, as in Remix's ranking (/teams/new before /teams/:teamId).
    const literals = pattern.filter((part) => !part.startsWith(":")).length;
    if (best === null || literals > best.literals || (literals === best.literals && route.index)) best = { id: route.id, literals };
  }
  return best?.id ?? null;
}
