import { createHash, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENTS } from "../../domain/detection/agents.ts";
import { analyzeCommit } from "../../domain/detection/engine.ts";
import type { NormalisedCommit } from "../../domain/detection/types.ts";
import { planWebhookIngestion } from "../../domain/ingestion/webhook-plan.ts";
import type { LineFate } from "../../domain/metrics/provenance.ts";
import { DAY_MS } from "../../domain/metrics/time.ts";
import { repositories } from "../../infrastructure/db/schema/index.ts";
import { installationPayload } from "../../tests/fixtures/webhooks.ts";
import { makeCommit } from "../../tests/support/commits.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { buildCommitVerdict } from "../analysis/analyze-stored-commit.ts";
import { writeVerdicts } from "../analysis/verdict-writer.ts";
import { applyWebhookPlan } from "../ingestion/apply-webhook-plan.ts";
import { loadPooledToolLines, storeToolLineCohorts, type PooledToolLines } from "./ai-tools-lines.ts";
import { getOrganisationAiTools } from "./ai-tools-organisation.ts";

/**
 * The organisation-level tool rollups (migration 0029, ADR 083) against the repository rows they sum: after every kind
 * of write that changes the repository rows, the organisation's rows hold exactly their sums, and the organisation's
 * reads give what they gave when they summed the repository rows of its enabled repositories (the statements before
 * ADR 083 are kept here as the reference).
 */

const T0 = Date.UTC(2026, 0, 5, 12); // a Monday
const NOW = new Date(T0 + 84 * DAY_MS);
const WEEKS = 10;
const LIFE_TABLE_COLUMNS = [
  "lines_born",
  "matured_lines",
  "reworked_lines",
  ...Array.from({ length: 12 }, (_, week) => `deaths_week_${week}`),
  ...Array.from({ length: 12 }, (_, week) => `censored_week_${week}`),
];

let database: TestDatabase;
type Repo = { orgId: string; repoId: string; fullName: string; timeZone: string };
let app: Repo;
let api: Repo;
let other: Repo;

async function install(ownerId: number, githubRepoId: number, login: string): Promise<Repo[]> {
  const deliveryId = randomUUID();
  const repos = [githubRepoId, githubRepoId + 1].map((id, index) => ({ id, full_name: `${login}/${index === 0 ? "app" : "api"}`, default_branch: "main" }));
  await applyWebhookPlan(database.db, planWebhookIngestion("installation", installationPayload("created", ownerId + 1, { id: ownerId, login }, repos), deliveryId), deliveryId);
  const found: Repo[] = [];
  for (const repo of repos) {
    const [row] = await database.db.select({ repoId: repositories.id, orgId: repositories.orgId }).from(repositories).where(eq(repositories.githubId, repo.id));
    found.push({ ...row!, fullName: repo.full_name, timeZone: "UTC" });
  }
  await database.sql`update organizations set timezone = 'UTC' where id = ${found[0]!.orgId}`;
  return found;
}

const shaOf = (repo: Repo, tool: string, week: number) => createHash("sha1").update(`${repo.repoId}/${tool}/${week}`).digest("hex");
const TOOL_MESSAGES: Record<string, string> = {
  [AGENTS.claudeCode]: "Add values\n\nCo-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>",
  [AGENTS.cursor]: "Add export\n\nMade-with: Cursor",
};

/** A commit of the tool in the given week, stored as pushed and then analysed and written as the analysis does. */
async function analysed(repo: Repo, tool: string, week: number, overrides: Partial<NormalisedCommit> = {}): Promise<void> {
  const authoredAt = new Date(T0 + week * 7 * DAY_MS + (tool === AGENTS.cursor ? 2 : 1) * 3_600_000).toISOString();
  const person = { name: "Dana Smith", email: "dana@example.org", date: authoredAt };
  const commit = makeCommit({ sha: shaOf(repo, tool, week), message: TOOL_MESSAGES[tool], author: person, committer: person, ...overrides });
  await database.sql`insert into commits (org_id, repo_id, sha, authored_at, on_default_branch) values (${repo.orgId}, ${repo.repoId}, ${commit.sha}, ${authoredAt}, true)`;
  expect(await writeVerdicts(database.db, [buildCommitVerdict({ orgId: repo.orgId, repoId: repo.repoId, sha: commit.sha }, commit, analyzeCommit(commit), null, NOW)])).toEqual(["written"]);
}

/** Each tool's commit of each week leaves lines dying 0..13 weeks later, lines lost to a truncated patch, and lines alive. */
function fatesOf(repo: Repo, seed: number): LineFate[] {
  const fate = (sha: string, bornDay: number, end: LineFate["end"], endDay: number | null, count: number): LineFate => ({
    origin: { sha, path: "src/a.ts", ai: true, bornAt: T0 + bornDay * DAY_MS },
    end,
    endAt: endDay === null ? null : T0 + endDay * DAY_MS,
    endSha: endDay === null ? null : "later",
    count,
  });
  return [AGENTS.claudeCode, AGENTS.cursor].flatMap((tool, toolIndex) =>
    Array.from({ length: WEEKS }, (_, week) => [
      ...Array.from({ length: 14 }, (_, lived) => fate(shaOf(repo, tool, week), week * 7, "died", week * 7 + lived * 7 + 2, 1 + ((lived + week + toolIndex + seed) % 4))),
      fate(shaOf(repo, tool, week), week * 7 + 1, "lost", week * 7 + 30, 3 + toolIndex + seed),
      fate(shaOf(repo, tool, week), week * 7 + 1, "alive", null, 40 + week * 5 + toolIndex + seed),
    ]).flat(),
  );
}

/** A survival run over the weeks [firstWeek, firstWeek + weeks), as of `asOfDay` days after T0. */
async function survivalRun(repo: Repo, fates: readonly LineFate[], asOfDay: number, firstWeek: number, weeks: number): Promise<void> {
  const week = (index: number) => new Date(T0 - 12 * 3_600_000 + index * 7 * DAY_MS).toISOString().slice(0, 10);
  await storeToolLineCohorts(database.db, repo, fates, { asOf: new Date(T0 + asOfDay * DAY_MS), firstWeek: week(firstWeek), lastWeek: week(firstWeek + weeks - 1), from: new Date(T0 - DAY_MS) });
}

/** The two rollups of an organisation side by side: its rows' sums per (week, tool), and its repositories' rows'. */
async function bothLevels(orgId: string) {
  const activity = (table: string, key: string) =>
    database.sql.unsafe<{ week: string; tool: string; commits: number; written_lines: number }[]>(
      `select to_char(week, 'YYYY-MM-DD') as week, tool, sum(commits)::int as commits, sum(written_lines)::int as written_lines
       from ${table} where ${key} group by 1, 2 having sum(commits) <> 0 or sum(written_lines) <> 0 order by 1, 2`,
      [orgId],
    );
  const lines = (table: string, key: string) =>
    database.sql.unsafe<Record<string, string | number>[]>(
      `select to_char(week, 'YYYY-MM-DD') as week, tool, ${LIFE_TABLE_COLUMNS.map((column) => `sum(${column})::int as ${column}`).join(", ")}
       from ${table} where ${key} group by 1, 2 having ${LIFE_TABLE_COLUMNS.map((column) => `sum(${column}) <> 0`).join(" or ")} order by 1, 2`,
      [orgId],
    );
  const [zeroRows] = await database.sql<{ count: number }[]>`
    select (select count(*) from org_weekly_tool_activity where org_id = ${orgId} and commits = 0 and written_lines = 0)
      + (select count(*) from org_weekly_tool_lines where org_id = ${orgId} and ${database.sql.unsafe(LIFE_TABLE_COLUMNS.map((column) => `${column} = 0`).join(" and "))})::int as count`;
  return {
    organisation: { activity: await activity("org_weekly_tool_activity", "org_id = $1"), lines: await lines("org_weekly_tool_lines", "org_id = $1"), zeroRows: Number(zeroRows!.count) },
    repositories: { activity: await activity("repo_weekly_tool_activity", "org_id = $1"), lines: await lines("repo_weekly_tool_lines", "org_id = $1"), zeroRows: 0 },
  };
}

/** Asserts the organisation's rows are the sums of its repositories' rows (disabled ones included); returns them. */
async function expectExact(orgId: string) {
  const { organisation, repositories } = await bothLevels(orgId);
  expect(organisation).toEqual(repositories);
  return organisation;
}

const SPAN = { firstWeek: "2025-12-29", lastWeek: "2026-03-30" };

/** The organisation's tools as ADR 081's statements read them: the enabled repositories' rows, summed per request. */
async function readBefore083(orgId: string) {
  const disabled = database.sql`select d.id from repositories d where d.org_id = ${orgId} and d.disabled_at is not null`;
  const byWeek = await database.sql<{ week: string; tool: string; commits: number; written_lines: string }[]>`
    select to_char(a.week, 'YYYY-MM-DD') as week, a.tool, sum(a.commits)::int as commits, sum(a.written_lines)::bigint as written_lines
    from repo_weekly_tool_activity a
    where a.org_id = ${orgId} and a.week >= ${SPAN.firstWeek}::date and a.week <= ${SPAN.lastWeek}::date and a.repo_id not in (${disabled})
    group by 1, 2 having sum(a.commits) <> 0 or sum(a.written_lines) <> 0 order by 1, 2`;
  const lines = await database.sql.unsafe<Record<string, number | string>[]>(
    `select l.tool, ${LIFE_TABLE_COLUMNS.map((column) => `sum(l.${column})::int as ${column}`).join(", ")}
     from repo_weekly_tool_lines l
     where l.org_id = $1 and l.week >= $2::date and l.week <= $3::date
       and l.repo_id not in (select d.id from repositories d where d.org_id = $1 and d.disabled_at is not null)
     group by l.tool`,
    [orgId, SPAN.firstWeek, SPAN.lastWeek],
  );
  const pooled = new Map<string, PooledToolLines>(
    lines.map((row) => [
      String(row.tool),
      {
        linesBorn: Number(row.lines_born),
        maturedLines: Number(row.matured_lines),
        reworkedLines: Number(row.reworked_lines),
        deathsByWeek: Array.from({ length: 12 }, (_, week) => Number(row[`deaths_week_${week}`])),
        censoredByWeek: Array.from({ length: 12 }, (_, week) => Number(row[`censored_week_${week}`])),
      },
    ]),
  );
  return { byWeek: byWeek.map((row) => ({ week: row.week, tool: row.tool, commits: row.commits, writtenLines: Number(row.written_lines) })), pooled };
}

/** The organisation's reads now (ADR 083) give what the statements before gave. */
async function expectReadsUnchanged(orgId: string) {
  const before = await readBefore083(orgId);
  // 13 weeks ending on Tuesday 31 March: the read's weeks are SPAN's.
  const now = await getOrganisationAiTools(database.db, orgId, { now: new Date("2026-03-31T12:00:00Z"), days: 13 * 7 });
  expect(now.weeks[0]).toBe(SPAN.firstWeek);
  expect(now.weeks.at(-1)).toBe(SPAN.lastWeek);
  expect(now.byWeek).toEqual(before.byWeek);
  expect(await loadPooledToolLines(database.db, { orgId, repoId: null }, SPAN)).toEqual(before.pooled);
  expect(new Map(now.tools.map((tool) => [tool.tool, tool.lines]))).toEqual(new Map(now.tools.map((tool) => [tool.tool, before.pooled.get(tool.tool) ?? null])));
  return now;
}

beforeAll(async () => {
  database = await createTestDatabase();
  [app, api] = (await install(97001, 97002, "rollup-org")) as [Repo, Repo];
  [other] = (await install(97101, 97102, "other-rollup-org")) as [Repo];
  for (const repo of [app, api, other]) {
    for (let week = 0; week < WEEKS; week += 1) {
      await analysed(repo, AGENTS.claudeCode, week);
      if (repo !== api || week % 2 === 0) await analysed(repo, AGENTS.cursor, week);
    }
  }
}, 120_000);

afterAll(async () => {
  await database?.drop();
});

describe("org_weekly_tool_activity and org_weekly_tool_lines hold the sums of the repository rows (ADR 083)", () => {
  it("follows activity from verdicts, re-scores and survival runs rewriting weeks", async () => {
    const written = await expectExact(app.orgId);
    expect(written.activity.length).toBe(WEEKS * 2);
    expect(written.lines).toEqual([]);

    for (const repo of [app, api, other]) await survivalRun(repo, fatesOf(repo, 0), 70, 0, WEEKS);
    const firstRun = await expectExact(app.orgId);
    expect(firstRun.lines.length).toBe(WEEKS * 2);
    // A week later the job rewrites every week but the first (censorings move, lines die), and a re-score moved one
    // commit's lines to another side: the replay no longer yields its cohort, which the run deletes.
    const rewritten = fatesOf(app, 1).filter((fate) => fate.origin.sha !== shaOf(app, AGENTS.cursor, 3));
    await survivalRun(app, rewritten, 77, 1, WEEKS - 1);
    await survivalRun(api, fatesOf(api, 0), 77, 1, WEEKS - 1);
    const secondRun = await expectExact(app.orgId);
    expect(secondRun.lines).not.toEqual(firstRun.lines);
    // A rerun with nothing new writes nothing, and changes nothing.
    await survivalRun(app, rewritten, 77, 1, WEEKS - 1);
    expect(await expectExact(app.orgId)).toEqual(secondRun);

    // A re-score names another tool, or takes a commit under the threshold; another verdict changes written lines.
    await database.sql`update commits set signals = ${JSON.stringify([{ id: "agent-coauthor-trailer", weight: 0.9, evidence: "Cursor", agent: AGENTS.cursor }])}::jsonb
      where repo_id = ${api.repoId} and sha = ${shaOf(api, AGENTS.claudeCode, 1)}`;
    await database.sql`update commits set ai_confidence = 0.2 where repo_id = ${app.repoId} and sha = ${shaOf(app, AGENTS.claudeCode, 2)}`;
    await database.sql`update commits set written_lines = written_lines + 7 where org_id = ${app.orgId} and authored_at < ${new Date(T0 + 21 * DAY_MS).toISOString()}`;
    const rescored = await expectExact(app.orgId);
    expect(rescored.activity.find((row) => row.week === "2026-01-19" && row.tool === AGENTS.claudeCode)?.commits).toBe(1);
    await expectReadsUnchanged(app.orgId);
    // The other organisation's rows are its own.
    await expectExact(other.orgId);
  });

  it("moves every week with a new time zone", async () => {
    await database.sql`update organizations set timezone = 'Asia/Tokyo' where id = ${app.orgId}`;
    await expectExact(app.orgId);
    await expectReadsUnchanged(app.orgId);
    await database.sql`update organizations set timezone = 'UTC' where id = ${app.orgId}`;
    await expectExact(app.orgId);
  });

  it("keeps a disabled repository's rows, which the reads subtract; enabling it needs no write", async () => {
    const enabled = await expectReadsUnchanged(app.orgId);
    const rows = await expectExact(app.orgId);
    await database.sql`update repositories set disabled_at = ${NOW.toISOString()} where id = ${api.repoId}`;
    expect(await expectExact(app.orgId)).toEqual(rows);
    const disabled = await expectReadsUnchanged(app.orgId);
    expect(disabled.tools.flatMap((tool) => tool.repositories.map((repository) => repository.id))).not.toContain(api.repoId);
    expect(disabled.tools.find((tool) => tool.tool === AGENTS.cursor)!.commits).toBeLessThan(enabled.tools.find((tool) => tool.tool === AGENTS.cursor)!.commits);
    // With every repository disabled, nothing is left to show: no tool, and no pooled lines.
    await database.sql`update repositories set disabled_at = ${NOW.toISOString()} where id = ${app.repoId}`;
    const none = await expectReadsUnchanged(app.orgId);
    expect(none.tools).toEqual([]);
    expect(none.byWeek).toEqual([]);
    await database.sql`update repositories set disabled_at = null where org_id = ${app.orgId}`;
    expect(await expectReadsUnchanged(app.orgId)).toEqual(enabled);
  });

  it("follows deleted commits, a deleted repository and a deleted organisation", async () => {
    await database.sql`delete from commits where repo_id = ${app.repoId} and authored_at >= ${new Date(T0 + 56 * DAY_MS).toISOString()}`;
    await expectExact(app.orgId);
    await expectReadsUnchanged(app.orgId);
    await database.sql`delete from repositories where id = ${api.repoId}`;
    const left = await expectExact(app.orgId);
    expect(left.activity.every((row) => row.commits <= 1)).toBe(true);
    await expectReadsUnchanged(app.orgId);
    await database.sql`delete from organizations where id = ${other.orgId}`;
    const [gone] = await database.sql<{ count: number }[]>`
      select (select count(*) from org_weekly_tool_activity where org_id = ${other.orgId}) + (select count(*) from org_weekly_tool_lines where org_id = ${other.orgId}) as count`;
    expect(Number(gone!.count)).toBe(0);
    await expectExact(app.orgId);
  });

  it("never waits for another writer of the same week and tool: it adds a row of its own, and the sums stay exact", async () => {
    const week = "2026-01-05";
    const rowsOfKey = async () => {
      const [row] = await database.sql<{ count: number }[]>`
        select count(*)::int as count from org_weekly_tool_activity where org_id = ${app.orgId} and week = ${week} and tool = ${AGENTS.claudeCode}`;
      return row!.count;
    };
    expect(await rowsOfKey()).toBe(1);
    await database.sql`insert into repositories (org_id, full_name) values (${app.orgId}, 'rollup-org/web')`;
    const [web] = await database.sql<{ id: string }[]>`select id from repositories where org_id = ${app.orgId} and full_name = 'rollup-org/web'`;
    const webRepo = { ...app, repoId: web!.id, fullName: "rollup-org/web" };
    let updated!: () => void;
    const holding = new Promise<void>((resolve) => (updated = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // A verdict writer holds the organisation's row of (week 0, Claude Code) in an open transaction…
    const first = database.sql.begin(async (tx) => {
      await tx`update commits set written_lines = written_lines + 3 where repo_id = ${app.repoId} and sha = ${shaOf(app, AGENTS.claudeCode, 0)}`;
      updated();
      await released;
    });
    await holding;
    try {
      // …while another repository's commit of that week and tool arrives: it must not wait (a lock wait would fail).
      await database.sql.begin(async (tx) => {
        await tx`set local lock_timeout = '2s'`;
        await tx`insert into commits (org_id, repo_id, sha, authored_at, ai_confidence, signals, written_lines)
          values (${app.orgId}, ${webRepo.repoId}, ${"f".repeat(40)}, ${new Date(T0 + 3_600_000).toISOString()}, 0.9,
            ${JSON.stringify([{ id: "agent-coauthor-trailer", weight: 0.9, evidence: "Claude Code", agent: AGENTS.claudeCode }])}::jsonb, 11)`;
      });
    } finally {
      release();
      await first;
    }
    expect(await rowsOfKey()).toBe(2);
    const rows = await expectExact(app.orgId);
    expect(rows.activity.find((row) => row.week === week && row.tool === AGENTS.claudeCode)?.commits).toBe(2);
  });
});
