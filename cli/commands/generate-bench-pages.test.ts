import { describe, expect, it } from "vitest";
import { benchPages, routeOf, type BenchTargets, type BuildRoute } from "../../bench/pages.ts";

/**
 * `npm run bench`'s list of pages and endpoints (bench/pages.ts), which measures the data `sentinel generate` writes.
 * bench/ is outside vitest's folders, so its pure parts are tested here, next to the generator's command.
 */

const TARGETS: BenchTargets = {
  busiestRepoId: "11111111-1111-4111-a111-111111111111",
  busiestRepoName: "bench/payments-api",
  eventId: 42,
  incidentId: "22222222-2222-4222-a222-222222222222",
  lastDay: "2026-12-06",
  pullRequestNumber: 17,
  teamId: "33333333-3333-4333-a333-333333333333",
  alertId: "44444444-4444-4444-a444-444444444444",
  filePath: "src/auth/session.ts",
};

/** A build's routes as Remix's flat routes name them: root, layouts, index routes, a pathless-parent escape, a splat. */
const ROUTES: Record<string, BuildRoute> = {
  root: { id: "root", path: "" },
  "routes/_index": { id: "routes/_index", parentId: "root", index: true },
  "routes/dashboard": { id: "routes/dashboard", parentId: "root", path: "dashboard" },
  "routes/repos.$repoId": { id: "routes/repos.$repoId", parentId: "root", path: "repos/:repoId" },
  "routes/repos.$repoId_.pulls.$number": { id: "routes/repos.$repoId_.pulls.$number", parentId: "root", path: "repos/:repoId/pulls/:number" },
  "routes/teams": { id: "routes/teams", parentId: "root", path: "teams" },
  "routes/teams._index": { id: "routes/teams._index", parentId: "routes/teams", index: true },
  "routes/teams.$teamId": { id: "routes/teams.$teamId", parentId: "routes/teams", path: ":teamId" },
  "routes/teams.new": { id: "routes/teams.new", parentId: "routes/teams", path: "new" },
  "routes/api.v1.$": { id: "routes/api.v1.$", parentId: "root", path: "api/v1/*" },
  "routes/api.v1.dora": { id: "routes/api.v1.dora", parentId: "root", path: "api/v1/dora" },
};

describe("the bench's pages", () => {
  it("finds the route a path renders, parameters by position, literals before parameters", () => {
    expect(routeOf(ROUTES, "/dashboard")).toBe("routes/dashboard");
    expect(routeOf(ROUTES, "/")).toBe("routes/_index");
    expect(routeOf(ROUTES, `/repos/${TARGETS.busiestRepoId}`)).toBe("routes/repos.$repoId");
    expect(routeOf(ROUTES, `/repos/${TARGETS.busiestRepoId}/pulls/17`)).toBe("routes/repos.$repoId_.pulls.$number");
    expect(routeOf(ROUTES, "/teams")).toBe("routes/teams._index");
    expect(routeOf(ROUTES, `/teams/${TARGETS.teamId}`)).toBe("routes/teams.$teamId");
    expect(routeOf(ROUTES, "/teams/new")).toBe("routes/teams.new");
    expect(routeOf(ROUTES, "/api/v1/dora")).toBe("routes/api.v1.dora");
  });

  it("says 'not found' for a page not written yet, even where a catch-all would answer", () => {
    expect(routeOf(ROUTES, "/pulls")).toBeNull();
    expect(routeOf(ROUTES, "/api/v1/tools")).toBeNull();
    expect(routeOf(ROUTES, `/repos/${TARGETS.busiestRepoId}/pulls`)).toBeNull();
  });

  it("lists issue 18's pages and endpoints, and names why one has nothing to show", () => {
    const paths = benchPages(TARGETS).map((page) => page.path);
    for (const wanted of ["/pulls", `/repos/${TARGETS.busiestRepoId}/pulls/17`, "/teams", `/teams/${TARGETS.teamId}`, "/dashboard", "/api/v1/pulls", "/api/v1/teams", "/api/v1/tools", "/api/v1/dora"]) {
      expect(paths).toContain(wanted);
    }
    const empty = benchPages({ ...TARGETS, pullRequestNumber: null, teamId: null }).filter((page) => page.path === null);
    expect(empty.map((page) => page.page)).toEqual(["Pull request (busiest repository's latest merged)", "Team (largest)", "API: pull request", "API: team"]);
    for (const page of empty) expect(page.missing).toBeTruthy();
  });
});
