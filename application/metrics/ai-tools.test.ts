import { createHash, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENTS, UNMARKED_AGENT } from "../../domain/detection/agents.ts";
import { analyzeCommit } from "../../domain/detection/engine.ts";
import type { NormalisedCommit } from "../../domain/detection/types.ts";
import { planWebhookIngestion } from "../../domain/ingestion/webhook-plan.ts";
import { repositories } from "../../infrastructure/db/schema/index.ts";
import { addedPatch, makeCommit, makeFile } from "../../tests/support/commits.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { installationPayload } from "../../tests/fixtures/webhooks.ts";
import { buildCommitVerdict } from "../analysis/analyze-stored-commit.ts";
import { writeVerdicts } from "../analysis/verdict-writer.ts";
import { applyWebhookPlan } from "../ingestion/apply-webhook-plan.ts";
import { MARKER_SIGNAL_IDS } from "../../domain/detection/types.ts";
import { getOrganisationAiTools } from "./ai-tools-organisation.ts";
import { getAiToolsByWeek, UNRECORDED_TOOL, type AiToolsScope } from "./ai-tools.ts";

/**
 * The per-tool view reads what the analysis stored: commits are analysed by the engine and written by the analysis's
 * own writer, except the ones standing for verdicts stored before markers recorded their tool.
 */

/** A Friday; the organisation's zone is Los Angeles (the default), so noon UTC is the same local day. */
const NOW = new Date("2026-03-20T18:00:00Z");
const THIS_WEEK = "2026-03-16";
const LAST_WEEK = "2026-03-09";

let database: TestDatabase;
let scope: AiToolsScope;
let other: AiToolsScope;

async function installRepository(ownerId: number, repoId: number, login: string): Promise<AiToolsScope> {
  const deliveryId = randomUUID();
  const repo = { id: repoId, full_name: `${login}/app`, default_branch: "main" };
  await applyWebhookPlan(database.db, planWebhookIngestion("installation", installationPayload("created", ownerId + 1, { id: ownerId, login }, [repo]), deliveryId), deliveryId);
  const [row] = await database.db.select({ repoId: repositories.id, orgId: repositories.orgId }).from(repositories).where(eq(repositories.githubId, repoId));
  return row!;
}

function sha(seed: string): string {
  return createHash("sha1").update(seed).digest("hex");
}

/** Stores the commit as pushed, then analyses it with the engine and writes the verdict as the analysis does. */
async function analysed(target: AiToolsScope, seed: string, authoredAt: string, overrides: Partial<NormalisedCommit>): Promise<number> {
  const commit = makeCommit({ sha: sha(seed), ...overrides });
  await database.sql`insert into commits (org_id, repo_id, sha, authored_at) values (${target.orgId}, ${target.repoId}, ${commit.sha}, ${authoredAt})`;
  const result = analyzeCommit(commit);
  expect(await writeVerdicts(database.db, [buildCommitVerdict({ ...target, sha: commit.sha }, commit, result, null, NOW)])).toEqual(["written"]);
  return result.writtenLines;
}

/** A verdict stored before markers recorded their tool: its signals have no `agent` at all. */
async function scoredBeforeTools(seed: string, authoredAt: string, confidence: number, signals: unknown[], writtenLines: number): Promise<void> {
  await database.sql`
    insert into commits (org_id, repo_id, sha, authored_at, analysis_status, ai_confidence, signals, written_lines, detector_version)
    values (${scope.orgId}, ${scope.repoId}, ${sha(seed)}, ${authoredAt}, 'analyzed', ${confidence}, ${JSON.stringify(signals)}::jsonb, ${writtenLines}, 'sentinel-detector-1.3.0')`;
}

const agentMessage =
  "Add rate limiting to the public API\n\n## Summary\nAdds a token bucket per API key — requests over the limit get 429.\n\n- Add middleware\n- Add configuration\n- Add tests to ensure comprehensive coverage";
const agentCode = ["export function limit(request: Request) {", "  // Check if the key has a bucket (e.g. after a restart)", "  const bucket = buckets.get(request.key) ?? createBucket();", "  // Refill the bucket → never above its capacity", "  return bucket.take();", "}"];
const styledFile = makeFile({ path: "src/limit.ts", status: "added", additions: agentCode.length, deletions: 0, patch: addedPatch(agentCode) });
const claude = (subject: string) => `${subject}\n\nCo-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>`;

const lines: Record<string, number> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  scope = await installRepository(95001, 95002, "tools-org");
  other = await installRepository(95101, 95102, "other-org");
  lines.claudeThisWeek = await analysed(scope, "claude-1", "2026-03-18T19:00:00Z", { message: claude("Add retries"), files: [styledFile] });
  lines.claudeLastWeek = await analysed(scope, "claude-2", "2026-03-11T19:00:00Z", { message: claude("Fix pagination") });
  lines.cursor = await analysed(scope, "cursor", "2026-03-17T19:00:00Z", { message: "Add export\n\nMade-with: Cursor" });
  lines.styled = await analysed(scope, "styled", "2026-03-19T19:00:00Z", { message: agentMessage, files: [styledFile] });
  lines.assisted = await analysed(scope, "assisted", "2026-03-19T20:00:00Z", { message: "Add a cache\n\nAssisted-by: some-model" });
  await analysed(scope, "human", "2026-03-18T20:00:00Z", {});
  await analysed(scope, "long-ago", "2025-12-01T19:00:00Z", { message: claude("Old work") });
  await analysed(other, "other-org", "2026-03-18T19:00:00Z", { message: "Add export\n\nMade-with: Cursor" });
  await scoredBeforeTools("old-marked", "2026-03-12T19:00:00Z", 0.9, [{ id: "agent-coauthor-trailer", weight: 0.9, evidence: "Claude Code co-author trailer" }], 40);
  await scoredBeforeTools("old-styled", "2026-03-12T20:00:00Z", 0.6, [{ id: "message-shape", weight: 0.45, evidence: "message shape" }], 7);
}, 60_000);

afterAll(async () => {
  await database?.drop();
});

describe("AI commits by tool and ISO week", () => {
  it("counts each AI commit once, under the tool its strongest marker names, with its written lines", async () => {
    const report = await getAiToolsByWeek(database.db, scope, { now: NOW, days: 90 });
    expect(report.byWeek).toEqual([
      { week: LAST_WEEK, tool: AGENTS.claudeCode, commits: 1, writtenLines: lines.claudeLastWeek },
      { week: LAST_WEEK, tool: UNRECORDED_TOOL, commits: 1, writtenLines: 40 },
      { week: LAST_WEEK, tool: UNMARKED_AGENT, commits: 1, writtenLines: 7 },
      { week: THIS_WEEK, tool: AGENTS.claudeCode, commits: 1, writtenLines: lines.claudeThisWeek },
      { week: THIS_WEEK, tool: AGENTS.cursor, commits: 1, writtenLines: lines.cursor },
      { week: THIS_WEEK, tool: UNMARKED_AGENT, commits: 2, writtenLines: lines.styled! + lines.assisted! },
    ]);
    expect(report.tools.map((tool) => [tool.tool, tool.commits])).toEqual([
      [UNMARKED_AGENT, 3],
      [AGENTS.claudeCode, 2],
      [UNRECORDED_TOOL, 1],
      [AGENTS.cursor, 1],
    ]);
  });

  it("covers the 90 days ending at the given clock, week by week, and a shorter range when asked", async () => {
    const report = await getAiToolsByWeek(database.db, scope, { now: NOW, days: 90 });
    expect(report.from.toISOString()).toBe("2025-12-20T18:00:00.000Z");
    expect(report.to).toEqual(NOW);
    expect(report.weeks[0]).toBe("2025-12-15");
    expect(report.weeks.at(-1)).toBe(THIS_WEEK);
    expect(report.weeks).toHaveLength(14);
    const week = await getAiToolsByWeek(database.db, scope, { now: NOW, days: 7 });
    // From Friday to Friday: the range touches last week's end and this week.
    expect(week.weeks).toEqual([LAST_WEEK, THIS_WEEK]);
    expect(week.byWeek.every((row) => row.week === THIS_WEEK)).toBe(true);
  });

  it("counts a part week at the start of a range from the commits, to the hour, and whole weeks from the rollup", async () => {
    const lastWeek = async (days: number) => (await getAiToolsByWeek(database.db, scope, { now: NOW, days })).byWeek.filter((row) => row.week === LAST_WEEK);
    // 8 days reach back to Thursday 12 March 18:00 UTC: the two commits scored that Thursday evening, not Claude's of Wednesday.
    expect(await lastWeek(8)).toEqual([
      { week: LAST_WEEK, tool: UNRECORDED_TOOL, commits: 1, writtenLines: 40 },
      { week: LAST_WEEK, tool: UNMARKED_AGENT, commits: 1, writtenLines: 7 },
    ]);
    expect((await lastWeek(9)).map((row) => row.tool)).toEqual([AGENTS.claudeCode, UNRECORDED_TOOL, UNMARKED_AGENT]);
    // 14 days hold last week whole (read from the rollup) between two part weeks: the same rows as the commits give.
    expect(await lastWeek(14)).toEqual(await lastWeek(9));
  });

  it("never reads another organisation's commits, even given its repository id", async () => {
    expect((await getAiToolsByWeek(database.db, other, { now: NOW, days: 90 })).tools).toEqual([{ tool: AGENTS.cursor, commits: 1, writtenLines: expect.any(Number) }]);
    expect((await getAiToolsByWeek(database.db, { orgId: scope.orgId, repoId: other.repoId }, { now: NOW, days: 90 })).byWeek).toEqual([]);
  });
});

describe("the organisation's weekly per-tool rollup (repo_weekly_tool_activity, ADR 078)", () => {
  /** What the rollup must hold: the per-repository read over the same whole weeks. */
  async function rawWeeks(target: AiToolsScope) {
    return (await getAiToolsByWeek(database.db, target, { now: NOW, days: 97 })).byWeek;
  }

  it("holds what the per-repository read counts from the commits, week by week and tool by tool", async () => {
    const organisation = await getOrganisationAiTools(database.db, scope.orgId, { now: NOW, days: 90 });
    expect(organisation.byWeek).toEqual(await rawWeeks(scope));
    expect(organisation.weeks[0]).toBe("2025-12-15");
    // A rollup row is a whole week: the range starts at the local Monday of its first day.
    expect(organisation.from.toISOString()).toBe("2025-12-15T08:00:00.000Z");
    expect(organisation.tools.find((tool) => tool.tool === AGENTS.claudeCode)).toMatchObject({
      commits: 2,
      repositories: [{ id: scope.repoId, fullName: "tools-org/app", commits: 2, writtenLines: lines.claudeThisWeek! + lines.claudeLastWeek! }],
    });
  });

  it("spells the tool like ai-tools.ts: commit_ai_tool knows every marker id of the domain", async () => {
    const [fn] = await database.sql<{ source: string }[]>`select prosrc as source from pg_proc where proname = 'commit_ai_tool'`;
    const ids = [...fn!.source.matchAll(/@\.id == "([^"]+)"/g)].map((match) => match[1]);
    expect(ids.sort()).toEqual([...MARKER_SIGNAL_IDS].sort());
  });

  it("never shows another organisation's tools", async () => {
    const others = await getOrganisationAiTools(database.db, other.orgId, { now: NOW, days: 90 });
    expect(others.tools.map((tool) => [tool.tool, tool.repositories.map((repo) => repo.id)])).toEqual([[AGENTS.cursor, [other.repoId]]]);
  });

  it("follows a re-score, a deleted commit and a new time zone in the same transaction", async () => {
    // A re-score (ADR 074) names the tool of a verdict stored before tools were recorded.
    await database.sql`update commits set signals = ${JSON.stringify([{ id: "agent-coauthor-trailer", weight: 0.9, evidence: "Claude Code co-author trailer", agent: AGENTS.claudeCode }])}::jsonb, detector_version = 'sentinel-detector-1.3.1'
      where repo_id = ${scope.repoId} and sha = ${sha("old-marked")}`;
    // A commit re-scored below the threshold leaves the tools.
    await database.sql`update commits set ai_confidence = 0.2 where repo_id = ${scope.repoId} and sha = ${sha("old-styled")}`;
    await database.sql`delete from commits where repo_id = ${scope.repoId} and sha = ${sha("cursor")}`;
    const after = await getOrganisationAiTools(database.db, scope.orgId, { now: NOW, days: 90 });
    expect(after.byWeek).toEqual(await rawWeeks(scope));
    expect(after.tools.map((tool) => tool.tool)).not.toContain(UNRECORDED_TOOL);
    expect(after.tools.map((tool) => tool.tool)).not.toContain(AGENTS.cursor);
    expect(after.tools.find((tool) => tool.tool === AGENTS.claudeCode)?.commits).toBe(3);

    // Sunday 20:00 in Los Angeles is Monday in Tokyo: the commit moves to the next week when the zone changes.
    await analysed(scope, "sunday-evening", "2026-03-16T03:00:00Z", { message: claude("Weekend fix") });
    const zoned = async (timeZone: string) => {
      await database.sql`update organizations set timezone = ${timeZone} where id = ${scope.orgId}`;
      const organisation = await getOrganisationAiTools(database.db, scope.orgId, { now: NOW, days: 90 });
      expect(organisation.byWeek).toEqual(await rawWeeks(scope));
      return organisation.byWeek.filter((row) => row.tool === AGENTS.claudeCode).map((row) => [row.week, row.commits]);
    };
    expect(await zoned("America/Los_Angeles")).toEqual([[LAST_WEEK, 3], [THIS_WEEK, 1]]);
    expect(await zoned("Asia/Tokyo")).toEqual([[LAST_WEEK, 2], [THIS_WEEK, 2]]);
    await zoned("America/Los_Angeles");
  });

  it("leaves a disabled repository's tools out, and shows them again when it is enabled", async () => {
    const before = await getOrganisationAiTools(database.db, scope.orgId, { now: NOW, days: 90 });
    expect(before.tools.length).toBeGreaterThan(0);
    await database.sql`update repositories set disabled_at = ${NOW.toISOString()} where id = ${scope.repoId}`;
    const disabled = await getOrganisationAiTools(database.db, scope.orgId, { now: NOW, days: 90 });
    expect(disabled.tools).toEqual([]);
    expect(disabled.byWeek).toEqual([]);
    await database.sql`update repositories set disabled_at = null where id = ${scope.repoId}`;
    expect(await getOrganisationAiTools(database.db, scope.orgId, { now: NOW, days: 90 })).toEqual(before);
  });
});
