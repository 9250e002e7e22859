import { createHash, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planWebhookIngestion } from "../../domain/ingestion/webhook-plan.ts";
import type { JobContext } from "../../domain/ports.ts";
import { ANALYZE_COMMIT_JOB, createAnalysisJobs } from "../../jobs/analysis.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { codeAttribution, codeEvents, commitFailures, commits, repositories } from "../db/schema/index.ts";
import type { GitHubCommitRecord } from "../github/corpus-fixture.ts";
import type { FakeGitHub } from "../github/fake-github.ts";
import type { GitHubApi } from "../github/github-api.ts";
import { startTestGitHub } from "../github/test-github.ts";
import { installationPayload } from "../github/webhook-fixtures.ts";
import { PermanentJobError } from "../queue/index.ts";
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
