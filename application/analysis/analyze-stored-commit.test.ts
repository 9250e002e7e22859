import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planWebhookIngestion } from "../../domain/ingestion/webhook-plan.ts";
import type { CommitSource } from "../../domain/ports.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { commits, repositories } from "../../infrastructure/db/schema/index.ts";
import { loadCorpusCommits } from "../../tests/fixtures/corpus.ts";
import { installationPayload, pullRequestPayload, pushPayload } from "../../tests/fixtures/webhooks.ts";
import { analyzeStoredCommit, createContextReader } from "./analyze-stored-commit.ts";
import { applyWebhookPlan } from "../ingestion/apply-webhook-plan.ts";
import { createVerdictWriter } from "./verdict-writer.ts";

/**
 * A pull request with agent markers links a commit while the commit's first analysis is still waiting on GitHub: the
 * link queues a re-score, and the two analyses run at once. Whichever finishes last must not leave the verdict of the
 * older context (found by `npm run chaos`: the same input gave different attribution from run to run).
 */

const OWNER = { id: 87001, login: "race-org" };
const REPO = { id: 87002, full_name: "race-org/app", default_branch: "main" };
const INSTALLATION = 8701;
const AGENT_BODY = "🤖 Generated with [Claude Code](https://claude.com/claude-code)";

let database: TestDatabase;
let repoId: string;

async function apply(event: string, payload: unknown) {
  const deliveryId = randomUUID();
  return applyWebhookPlan(database.db, planWebhookIngestion(event, payload, deliveryId), deliveryId);
}

beforeAll(async () => {
  database = await createTestDatabase();
  await apply("installation", installationPayload("created", INSTALLATION, OWNER, [REPO]));
  const [row] = await database.db.select({ id: repositories.id }).from(repositories).where(eq(repositories.githubId, REPO.id));
  repoId = row!.id;
});

afterAll(async () => {
  await database?.drop();
});

async function signalsOf(sha: string): Promise<string[]> {
  const [row] = await database.db.select({ signals: commits.signals }).from(commits).where(and(eq(commits.repoId, repoId), eq(commits.sha, sha)));
  return (row!.signals as Array<{ id: string }>).map((signal) => signal.id);
}

describe("analysis racing a pull request that links the commit", () => {
  it("the analysis that read the commit before the link, finishing last, does not overwrite the re-score", async () => {
    const [record] = loadCorpusCommits().slice(1200, 1201);
    const branch = "feature/race";
    await apply("push", pushPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, records: [record!], branch }));
    const target = { repoId, sha: record!.sha };

    // The first analysis reads the commit (no pull request yet), then waits on GitHub.
    let fetched!: () => void;
    const fetching = new Promise<void>((resolve) => (fetched = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slowGitHub: CommitSource = {
      async getCommit() {
        fetched();
        await released;
        return record;
      },
    };
    const first = analyzeStoredCommit(database.db, async () => slowGitHub, target);
    await fetching;

    // Meanwhile the PR is opened with an agent's marker: it links the commit, and its re-score runs to the end.
    const opened = await apply("pull_request", pullRequestPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, number: 7, headRef: branch, headSha: record!.sha, action: "opened", body: AGENT_BODY }));
    expect(opened).toMatchObject({ status: "processed", commitsToAnalyze: [{ sha: record!.sha, trigger: "rescore" }] });
    await analyzeStoredCommit(database.db, async () => ({ getCommit: async () => record }), target);
    expect(await signalsOf(record!.sha)).toContain("agent-pr-marker");

    // Now the first analysis gets its answer from GitHub and finishes last.
    release();
    expect(await first).toMatchObject({ status: "analyzed" });
    expect(await signalsOf(record!.sha)).toContain("agent-pr-marker");
  });
});

describe("the worker's grouped reads and writes", () => {
  it("jobs analysed at once share round trips, and each gets its own commit's verdict; an unknown commit is skipped", async () => {
    const records = loadCorpusCommits().slice(1210, 1226);
    await apply("push", pushPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, records, branch: "main" }));
    const bySha = new Map(records.map((record) => [record.sha, record]));
    const source: CommitSource = { getCommit: async (_repository, sha) => structuredClone(bySha.get(sha)!) };
    const grouped = { readContext: createContextReader(database.db), write: createVerdictWriter(database.db) };
    const outcomes = await Promise.all([
      ...records.map((record) => analyzeStoredCommit(database.db, async () => source, { repoId, sha: record.sha }, grouped)),
      analyzeStoredCommit(database.db, async () => source, { repoId, sha: "f".repeat(40) }, grouped),
    ]);
    expect(outcomes.at(-1)).toEqual({ status: "skipped", reason: "commit is not recorded" });
    const rows = await database.db
      .select({ sha: commits.sha, status: commits.analysisStatus, confidence: commits.aiConfidence })
      .from(commits)
      .where(and(eq(commits.repoId, repoId), inArray(commits.sha, records.map((record) => record.sha))));
    expect(rows).toHaveLength(records.length);
    for (const [index, record] of records.entries()) {
      const outcome = outcomes[index]!;
      const row = rows.find((candidate) => candidate.sha === record.sha)!;
      if (outcome.status === "analyzed") {
        expect(row.status).toBe("analyzed");
        expect(row.confidence).toBeCloseTo(outcome.confidence, 5); // a real column: float4 precision
      } else expect(row.status).toBe("skipped");
    }
  });
});

