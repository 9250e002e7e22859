import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planWebhookIngestion } from "../../domain/ingestion/webhook-plan.ts";
import { connectPostgres, type DatabaseConnection } from "../../infrastructure/db/client.ts";
import { codeAttribution, commitFilePatches, commits, repositories } from "../../infrastructure/db/schema/index.ts";
import { loadCorpusCommits } from "../../tests/fixtures/corpus.ts";
import { installationPayload, pushPayload } from "../../tests/fixtures/webhooks.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { AGENTS } from "../../domain/detection/agents.ts";
import { analyzeCommit } from "../../domain/detection/engine.ts";
import { makeCommit } from "../../tests/support/commits.ts";
import { applyWebhookPlan } from "../ingestion/apply-webhook-plan.ts";
import { buildCommitVerdict } from "./analyze-stored-commit.ts";
import { createVerdictWriter, writeVerdicts, type CommitVerdict } from "./verdict-writer.ts";

/**
 * The analysis worker's group commit (ADR 022): verdicts of jobs running at once share a transaction, yet each job
 * still gets its own answer, a refused verdict fails alone, and a failed group leaves nothing half-written.
 */

const OWNER = { id: 93001, login: "verdict-org" };
const REPO = { id: 93002, full_name: "verdict-org/app", default_branch: "main" };
const INSTALLATION = 9301;

let database: TestDatabase;
let orgId: string;
let repoId: string;
let counted: DatabaseConnection;
let transactions = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  const apply = async (event: string, payload: unknown) => {
    const deliveryId = randomUUID();
    await applyWebhookPlan(database.db, planWebhookIngestion(event, payload, deliveryId), deliveryId);
  };
  await apply("installation", installationPayload("created", INSTALLATION, OWNER, [REPO]));
  await apply("push", pushPayload({ installationId: INSTALLATION, owner: OWNER, repo: REPO, records: loadCorpusCommits().slice(1300, 1340) }));
  const [row] = await database.db.select({ id: repositories.id, orgId: repositories.orgId }).from(repositories).where(eq(repositories.githubId, REPO.id));
  repoId = row!.id;
  orgId = row!.orgId;
  // A second client on the same database that counts the transactions it opens.
  counted = connectPostgres(database.url, {
    applicationName: "sentinel-test",
    max: 5,
    onQuery: (query) => {
      if (/^begin\b/i.test(query.trim())) transactions += 1;
    },
  });
});

afterAll(async () => {
  await counted?.close();
  await database?.drop();
});

/** drizzle wraps PostgreSQL's error ("Failed query: …") and keeps it as the cause. */
function constraintOf(error: unknown): string | undefined {
  return ((error as { cause?: { constraint_name?: string } }).cause ?? (error as { constraint_name?: string })).constraint_name;
}

function shasFrom(first: number, count: number): string[] {
  return loadCorpusCommits().slice(first, first + count).map((record) => record.sha);
}

function verdictFor(sha: string, overrides: Partial<CommitVerdict> = {}): CommitVerdict {
  return {
    org_id: orgId,
    repo_id: repoId,
    sha,
    context: null,
    ai_confidence: 0.75,
    signals: [{ id: "test-signal", weight: 0.75, detail: "set by the test" }],
    lines_added: 3,
    lines_deleted: 1,
    written_lines: 6,
    written_lines_t1: 0,
    written_lines_t2: 6,
    written_lines_t3: 0,
    written_lines_t4: 0,
    detector_version: "test-1",
    authored_at: "2026-01-05T10:00:00.000Z",
    analyzed_at: new Date().toISOString(),
    files: ["src/a.ts", "src/b.ts"].map((path) => ({
      path,
      previous_path: null,
      change_type: "modified",
      file_kind: "code",
      counts: true,
      ai_confidence: 0.75,
      signals: [],
      risk_tier: 2,
      base_risk_tier: 2,
      risk_reasons: [],
      lines_added: 3,
      lines_deleted: 1,
      written_lines: 3,
      exclusion: null,
      complexity: null,
    })),
    patches: [{ path: "src/a.ts", previous_path: null, status: "modified", patch: "@@ -1 +1,3 @@\n+a\n+b\n+c", truncated: false, ai: true }],
    ...overrides,
  };
}

async function stateOf(shas: string[]) {
  const rows = await database.db
    .select({ sha: commits.sha, status: commits.analysisStatus, detectorVersion: commits.detectorVersion })
    .from(commits)
    .where(and(eq(commits.repoId, repoId), inArray(commits.sha, shas)));
  const files = await database.db
    .select({ sha: codeAttribution.commitSha })
    .from(codeAttribution)
    .where(and(eq(codeAttribution.repoId, repoId), inArray(codeAttribution.commitSha, shas)));
  const patches = await database.db
    .select({ sha: commitFilePatches.commitSha })
    .from(commitFilePatches)
    .where(and(eq(commitFilePatches.repoId, repoId), inArray(commitFilePatches.commitSha, shas)));
  return Object.fromEntries(
    shas.map((sha) => [
      sha,
      {
        status: rows.find((row) => row.sha === sha)?.status,
        files: files.filter((row) => row.sha === sha).length,
        patches: patches.filter((row) => row.sha === sha).length,
      },
    ]),
  );
}

describe("writeVerdicts: one transaction for a group", () => {
  it("writes every verdict of the group, and writing it again leaves the same rows", async () => {
    const shas = shasFrom(1300, 3);
    expect(await writeVerdicts(database.db, shas.map((sha) => verdictFor(sha)))).toEqual(["written", "written", "written"]);
    expect(await writeVerdicts(database.db, shas.map((sha) => verdictFor(sha)))).toEqual(["written", "written", "written"]);
    for (const state of Object.values(await stateOf(shas))) expect(state).toEqual({ status: "analyzed", files: 2, patches: 1 });
  });

  it("a verdict PostgreSQL refuses fails the whole group, leaving none of its rows written", async () => {
    const shas = shasFrom(1303, 3);
    const refused = verdictFor(shas[2]!, { ai_confidence: 7 }); // outside commits_ai_confidence_range
    const failure = await writeVerdicts(database.db, [verdictFor(shas[0]!), verdictFor(shas[1]!), refused]).catch((error: unknown) => error);
    expect(constraintOf(failure)).toBe("commits_ai_confidence_range");
    for (const state of Object.values(await stateOf(shas))) expect(state).toEqual({ status: "pending", files: 0, patches: 0 });
  });

  it("a verdict whose context changed is answered stale and writes nothing; the others are written", async () => {
    const shas = shasFrom(1306, 2);
    const staleContext = { branch: "not-the-branch", pr_number: null, pr_title: null, pr_body: null, previous_authored_at: null };
    expect(await writeVerdicts(database.db, [verdictFor(shas[0]!), verdictFor(shas[1]!, { context: staleContext })])).toEqual(["written", "stale"]);
    expect(await stateOf(shas)).toEqual({
      [shas[0]!]: { status: "analyzed", files: 2, patches: 1 },
      [shas[1]!]: { status: "pending", files: 0, patches: 0 },
    });
  });
});

describe("createVerdictWriter: group commit across jobs", () => {
  it("verdicts arriving together share transactions, and each caller gets its own answer", async () => {
    const write = createVerdictWriter(counted.db, { maxInFlight: 1 });
    const shas = shasFrom(1310, 12);
    const before = transactions;
    const answers = await Promise.all(shas.map((sha) => write(verdictFor(sha))));
    expect(answers).toEqual(shas.map(() => "written"));
    expect(transactions - before).toBeLessThanOrEqual(2);
    for (const state of Object.values(await stateOf(shas))) expect(state).toEqual({ status: "analyzed", files: 2, patches: 1 });
  });

  it("a refused verdict fails alone: its job gets the error and nothing of it is written, the rest of its group is", async () => {
    const write = createVerdictWriter(counted.db, { maxInFlight: 1 });
    const shas = shasFrom(1322, 6);
    const results = await Promise.allSettled(shas.map((sha, index) => write(verdictFor(sha, index === 3 ? { ai_confidence: 7 } : {}))));
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(constraintOf((results[3] as PromiseRejectedResult).reason)).toBe("commits_ai_confidence_range");
    const state = await stateOf(shas);
    expect(state[shas[3]!]).toEqual({ status: "pending", files: 0, patches: 0 });
    for (const sha of shas.filter((_, index) => index !== 3)) expect(state[sha]).toEqual({ status: "analyzed", files: 2, patches: 1 });
  });

  it("two verdicts for the same commit in flight at once are both written, one after the other (the later one wins)", async () => {
    const write = createVerdictWriter(counted.db, { maxInFlight: 1 });
    const [sha] = shasFrom(1330, 1);
    const answers = await Promise.all([write(verdictFor(sha!, { detector_version: "first" })), write(verdictFor(sha!, { detector_version: "second" }))]);
    expect(answers).toEqual(["written", "written"]);
    const [row] = await database.db.select({ detectorVersion: commits.detectorVersion }).from(commits).where(and(eq(commits.repoId, repoId), eq(commits.sha, sha!)));
    expect(row!.detectorVersion).toBe("second");
  });
});

describe("the tool that wrote a commit", () => {
  it("travels in the stored signals of an analysed commit: the per-tool view reads it from there", async () => {
    const [sha] = shasFrom(1335, 1);
    const normalised = makeCommit({ sha: sha!, message: "Add retries\n\nCo-authored-by: Codex <noreply@openai.com>\nAssisted-by: some-model" });
    const result = analyzeCommit(normalised);
    expect(result.agent).toBe(AGENTS.codex);
    const verdict = buildCommitVerdict({ orgId, repoId, sha: sha! }, normalised, result, null, new Date("2026-01-05T10:00:00Z"));
    expect(await writeVerdicts(database.db, [verdict])).toEqual(["written"]);
    const [row] = await database.db.select({ signals: commits.signals }).from(commits).where(and(eq(commits.repoId, repoId), eq(commits.sha, sha!)));
    const stored = row!.signals as Array<{ id: string; agent?: string | null }>;
    expect(stored.filter((signal) => "agent" in signal).map((signal) => [signal.id, signal.agent])).toEqual([
      ["agent-coauthor-trailer", AGENTS.codex],
      ["agent-session-trailer", null],
    ]);
  });
});
