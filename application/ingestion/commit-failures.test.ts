import { createHash, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommitFailures } from "../../app/components/repository/CommitFailures.tsx";
import * as repoPage from "../../app/routes/repos.$repoId.tsx";
import { planWebhookIngestion } from "../../domain/ingestion/webhook-plan.ts";
import type { JobContext } from "../../domain/ports.ts";
import { ANALYZE_COMMIT_JOB, createAnalysisJobs } from "../../jobs/analysis.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { codeAttribution, codeEvents, commitFailures, commits, organizationMembers, organizations, repositories, users } from "../../infrastructure/db/schema/index.ts";
import type { GitHubCommitRecord } from "../../tests/fixtures/corpus.ts";
import type { FakeGitHub } from "../../tests/fakes/github.ts";
import type { GitHubApi } from "../../infrastructure/github/github-api.ts";
import { startTestGitHub } from "../../tests/fakes/github-client.ts";
import { installationPayload } from "../../tests/fixtures/webhooks.ts";
import { PermanentJobError } from "../../infrastructure/queue/index.ts";
import { applyWebhookPlan } from "./apply-webhook-plan.ts";
import { listCommitFailures } from "./commit-failures.ts";
import { backfillRepository } from "./github-history.ts";

/**
 * A backfill page or an analysis with one commit PostgreSQL refuses stores the others, records the refused one in
 * commit_failures with PostgreSQL's reason, and leaves none of its rows behind. Nothing here is mocked but GitHub.
 */

const OWNER = { id: 91001, login: "failures-org" };
const REPO = { id: 91002, full_name: "failures-org/app", default_branch: "main" };
const INSTALLATION = 9101;

let database: TestDatabase;
let fake: FakeGitHub;
let api: GitHubApi;
let repo: { id: string; orgId: string };

beforeAll(async () => {
  database = await createTestDatabase();
  ({ fake, api } = await startTestGitHub());
  const deliveryId = randomUUID();
  await applyWebhookPlan(database.db, planWebhookIngestion("installation", installationPayload("created", INSTALLATION, OWNER, [REPO]), deliveryId), deliveryId);
  const [row] = await database.db.select({ id: repositories.id, orgId: repositories.orgId }).from(repositories).where(eq(repositories.githubId, REPO.id));
  repo = row!;
});

afterAll(async () => {
  await fake?.close();
  await database?.drop();
});

function sha(seed: string): string {
  return createHash("sha1").update(seed).digest("hex");
}

function githubCommit(seed: string, message: string, date: string, files: GitHubCommitRecord["files"] = []): GitHubCommitRecord {
  const author = { name: "Ada", email: "ada@example.com", date };
  return { sha: sha(seed), parents: [{ sha: sha(`${seed}-parent`) }], commit: { author, committer: author, message }, author: { login: "ada" }, files };
}

/** 3,000 characters of hex (incompressible): too long for a btree index entry, as a real generated path can be. */
function longPath(): string {
  let seed = "path";
  const hex = Array.from({ length: 48 }, () => (seed = createHash("sha256").update(seed).digest("hex"))).join("");
  return `generated/${Array.from({ length: 15 }, (_, index) => hex.slice(index * 200, (index + 1) * 200)).join("/")}/handler.ts`;
}

async function statusOf(commitSha: string): Promise<string | undefined> {
  const [row] = await database.db.select({ status: commits.analysisStatus }).from(commits).where(and(eq(commits.repoId, repo.id), eq(commits.sha, commitSha)));
  return row?.status;
}

describe("backfill", () => {
  it("stores a page's other commits and records the one PostgreSQL refuses", async () => {
    // A NUL in the message: PostgreSQL's jsonb cannot hold it (the event's payload, SQLSTATE 22P05), so the commit is refused.
    const history = [
      githubCommit("backfill-3", "Add the cache", "2025-04-03T10:00:00Z"),
      githubCommit("backfill-2", "Fix\u0000 the parser", "2025-04-02T10:00:00Z"),
      githubCommit("backfill-1", "Add the parser", "2025-04-01T10:00:00Z"),
    ];
    fake.addRepository({ fullName: REPO.full_name, history });
    const queued: string[] = [];

    const outcome = await backfillRepository(
      { db: database.db, github: api, onCommits: async (targets) => void queued.push(...targets.map((target) => target.sha)) },
      { repoId: repo.id, since: new Date("2025-03-01T00:00:00Z") },
    );

    expect(outcome).toMatchObject({ status: "done", commits: 2, queued: 2, failed: 1 });
    expect(queued.sort()).toEqual([history[0]!.sha, history[2]!.sha].sort());
    expect(await listCommitFailures(database.db, { orgId: repo.orgId, repoId: repo.id })).toEqual([
      { sha: history[1]!.sha, stage: "backfill", reason: "PostgreSQL refused the commit: unsupported Unicode escape sequence (\\u0000 cannot be converted to text.)", failedAt: expect.any(Date) },
    ]);
    // All or nothing: neither the refused commit's row nor its event was kept.
    expect(await statusOf(history[1]!.sha)).toBeUndefined();
    const events = await database.db.select({ sha: codeEvents.commitSha }).from(codeEvents).where(eq(codeEvents.repoId, repo.id));
    expect(events.map((event) => event.sha).sort()).toEqual([history[0]!.sha, history[2]!.sha].sort());
    expect(await statusOf(history[0]!.sha)).toBe("pending");
  });
});

describe("analysis", () => {
  const job = (data: unknown): JobContext => ({ id: "test", name: ANALYZE_COMMIT_JOB, queue: "analysis", data, attemptsMade: 0, updateProgress: async () => {} });

  it("records a commit PostgreSQL refuses and fails its job for good; a later verdict clears the failure", async () => {
    const refused = githubCommit("analysis-refused", "Add generated handlers", "2025-04-05T10:00:00Z", [
      { filename: longPath(), status: "added", additions: 1, deletions: 0, changes: 1, patch: "@@ -0,0 +1 @@\n+export const handler = () => 1;" },
    ]);
    const fine = githubCommit("analysis-fine", "Add the service", "2025-04-06T10:00:00Z", [
      { filename: "src/service.ts", status: "added", additions: 1, deletions: 0, changes: 1, patch: "@@ -0,0 +1 @@\n+export const serve = () => 1;" },
    ]);
    const served = new Map([refused, fine].map((record) => [record.sha, record]));
    await database.db.insert(commits).values(
      [refused, fine].map((record) => ({ orgId: repo.orgId, repoId: repo.id, sha: record.sha, authoredAt: new Date(record.commit.author.date), onDefaultBranch: true })),
    );
    const handlers = createAnalysisJobs({ db: database.db, resolveSource: async () => ({ getCommit: async (_repository, commitSha) => served.get(commitSha) ?? null }) });
    const analyse = handlers[ANALYZE_COMMIT_JOB];

    await expect(analyse.run({ repoId: repo.id, sha: refused.sha }, job({}))).rejects.toThrow(PermanentJobError);
    await expect(analyse.run({ repoId: repo.id, sha: fine.sha }, job({}))).resolves.toMatchObject({ status: "analyzed" });

    const [failure] = await database.db.select().from(commitFailures).where(eq(commitFailures.sha, refused.sha));
    expect(failure).toMatchObject({ orgId: repo.orgId, repoId: repo.id, stage: "analysis", reason: expect.stringMatching(/index row size \d+ exceeds btree version 4 maximum 2704/) });
    expect(await statusOf(refused.sha)).toBe("failed");
    expect(await statusOf(fine.sha)).toBe("analyzed");
    const attribution = await database.db.select({ sha: codeAttribution.commitSha }).from(codeAttribution).where(eq(codeAttribution.repoId, repo.id));
    expect(attribution.map((row) => row.sha)).toEqual([fine.sha]);

    // Once the commit can be stored (here GitHub lists a path PostgreSQL can index), its verdict removes the failure.
    served.set(refused.sha, { ...refused, files: [{ ...refused.files[0]!, filename: "generated/handler.ts" }] });
    await expect(analyse.run({ repoId: repo.id, sha: refused.sha }, job({}))).resolves.toMatchObject({ status: "analyzed" });
    expect(await database.db.select().from(commitFailures).where(eq(commitFailures.sha, refused.sha))).toEqual([]);
    expect(await statusOf(refused.sha)).toBe("analyzed");
  });
});

describe("the repository page", () => {
  it("lists the repository's failed commits with stage, reason and when, and none of another organisation's", async () => {
    const now = new Date("2026-01-10T12:00:00Z");
    const { services, close } = await createTestServices(database, { clock: fixedClock(now) });
    try {
      const [other] = await database.db.insert(organizations).values({ slug: "failures-other", name: "other" }).returning();
      const [otherRepo] = await database.db.insert(repositories).values({ orgId: other!.id, fullName: "other/app", defaultBranch: "main", source: "local" }).returning();
      await database.db.insert(commitFailures).values({ orgId: other!.id, repoId: otherRepo!.id, sha: sha("other"), stage: "import", reason: "not yours" });
      await database.db.delete(commitFailures).where(eq(commitFailures.repoId, repo.id));
      await database.db.insert(commitFailures).values({ orgId: repo.orgId, repoId: repo.id, sha: sha("page"), stage: "import", reason: "fatal: unable to read 80f6", failedAt: new Date("2026-01-10T10:00:00Z") });
      const [user] = await database.db.insert(users).values({ login: "failures-owner", githubId: 919292 }).returning({ id: users.id });
      await database.db.insert(organizationMembers).values({ orgId: repo.orgId, userId: user!.id, role: "owner" });
      const session = await services.sessionStorage.getSession();
      session.set("userId", user!.id);
      session.set("orgId", repo.orgId);
      const cookie = (await services.sessionStorage.commitSession(session)).split(";")[0]!;

      type Loader = (args: { request: Request; params: Record<string, string>; context: { services: typeof services } }) => Promise<unknown>;
      const data = (await (repoPage.loader as unknown as Loader)({
        request: new Request(`http://sentinel.test/repos/${repo.id}`, { headers: { Cookie: cookie } }),
        params: { repoId: repo.id },
        context: { services },
      })) as { commitFailures: Array<{ sha: string; stage: "import" | "backfill" | "analysis"; reason: string; failedAt: string }>; now: string };
      expect(data.commitFailures).toEqual([{ sha: sha("page"), stage: "import", reason: "fatal: unable to read 80f6", failedAt: "2026-01-10T10:00:00.000Z" }]);

      const html = renderToStaticMarkup(createElement(CommitFailures, { failures: data.commitFailures, now: data.now }));
      expect(html).toContain(">1 commit could not be stored</h2>");
      expect(html).toContain(`>${sha("page").slice(0, 7)}<`);
      expect(html).toContain("sentinel import");
      expect(html).toContain("fatal: unable to read 80f6");
      expect(html).toContain(">2 h ago<");
      expect(renderToStaticMarkup(createElement(CommitFailures, { failures: [], now: data.now }))).toBe("");
    } finally {
      await close();
    }
  });
});
