import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { writeVerdicts, type AttributionRow, type CommitVerdict } from "../analysis/verdict-writer.ts";
import { listPullRequests } from "./list-pull-requests.ts";

/**
 * pull_request_lines (migration 0025, ADR 079) is kept by triggers: after every kind of write, each pull request's
 * stored figures must equal a computation from scratch over its commits and their attribution rows, which is what the
 * list computed before the rollup existed.
 */

const RANGE = { from: new Date("2026-01-01T00:00:00Z"), to: new Date("2026-04-01T00:00:00Z") };
const AUTHORED = "2026-02-01T10:00:00Z";

type Figures = { written: number; ai: number; t1: number; t2: number; t3: number; t4: number };

let database: TestDatabase;
let orgId: string;
let repoId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const sql = database.sql;
  const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name) values ('lines', 'Lines') returning id`;
  orgId = org!.id;
  const [repo] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${orgId}, 'lines/app') returning id`;
  repoId = repo!.id;
  for (const [number, opened] of [[1, "2026-02-01T09:00:00Z"], [2, "2026-02-02T09:00:00Z"]] as const) {
    await sql`insert into pull_requests (org_id, repo_id, number, title, state, base_ref, opened_at)
              values (${orgId}, ${repoId}, ${number}, ${`PR ${number}`}, 'open', 'main', ${opened})`;
  }
  // Pending commits: a1 and a2 in PR 1, h1 in PR 2, late1 in PR 7 (which arrives later), loose1 in no PR.
  for (const [sha, pr] of [["a1", 1], ["a2", 1], ["h1", 2], ["late1", 7], ["loose1", null]] as const) {
    await sql`insert into commits (org_id, repo_id, sha, authored_at, pr_number, message_headline)
              values (${orgId}, ${repoId}, ${sha}, ${AUTHORED}, ${pr}, ${sha})`;
  }
}, 60_000);

afterAll(async () => {
  await database?.drop();
});

function file(path: string, confidence: number, tier: number, written: number, counts = true): AttributionRow {
  return {
    path,
    previous_path: null,
    change_type: "modified",
    file_kind: counts ? "code" : "lockfile",
    counts,
    ai_confidence: confidence,
    signals: [],
    risk_tier: tier,
    base_risk_tier: tier,
    risk_reasons: [],
    lines_added: written,
    lines_deleted: 0,
    written_lines: written,
    exclusion: null,
    complexity: null,
  };
}

function verdict(sha: string, confidence: number, files: AttributionRow[]): CommitVerdict {
  const counted = files.filter((f) => f.counts);
  const tier = (t: number) => counted.filter((f) => f.risk_tier === t).reduce((sum, f) => sum + f.written_lines, 0);
  return {
    org_id: orgId,
    repo_id: repoId,
    sha,
    context: null,
    ai_confidence: confidence,
    signals: [],
    lines_added: files.reduce((sum, f) => sum + f.lines_added, 0),
    lines_deleted: 0,
    written_lines: counted.reduce((sum, f) => sum + f.written_lines, 0),
    written_lines_t1: tier(1),
    written_lines_t2: tier(2),
    written_lines_t3: tier(3),
    written_lines_t4: tier(4),
    detector_version: "test",
    authored_at: AUTHORED,
    analyzed_at: "2026-02-01T11:00:00Z",
    files,
    patches: [],
  };
}

/** Each pull request's figures as the list computed them before the rollup: from its commits and attribution rows. */
async function fromScratch(): Promise<Record<number, Figures>> {
  const rows = await database.sql<{ pr: number; written: number; ai: number; t1: number; t2: number; t3: number; t4: number }[]>`
    select c.pr_number as pr, sum(c.written_lines)::int as written, coalesce(sum(ai.lines), 0)::int as ai,
      coalesce(sum(ai.t1), 0)::int as t1, coalesce(sum(ai.t2), 0)::int as t2, coalesce(sum(ai.t3), 0)::int as t3, coalesce(sum(ai.t4), 0)::int as t4
    from commits c
    left join lateral (
      select sum(ca.written_lines) filter (where ca.counts_toward_share) as lines,
        count(*) filter (where ca.risk_tier = 1) as t1, count(*) filter (where ca.risk_tier = 2) as t2,
        count(*) filter (where ca.risk_tier = 3) as t3, count(*) filter (where ca.risk_tier = 4) as t4
      from code_attribution ca where ca.repo_id = c.repo_id and ca.commit_sha = c.sha and ca.ai_confidence >= 0.5
    ) ai on true
    where c.repo_id = ${repoId} and c.pr_number is not null
    group by c.pr_number`;
  return figuresByPullRequest(rows);
}

async function stored(): Promise<Record<number, Figures>> {
  const rows = await database.sql<{ pr: number; written: number; ai: number; t1: number; t2: number; t3: number; t4: number }[]>`
    select pr_number as pr, sum(written_lines)::int as written, sum(ai_lines)::int as ai, sum(ai_files_t1)::int as t1,
      sum(ai_files_t2)::int as t2, sum(ai_files_t3)::int as t3, sum(ai_files_t4)::int as t4
    from pull_request_lines where repo_id = ${repoId}
    group by pr_number`;
  return figuresByPullRequest(rows);
}

/** Pull requests with all-zero figures are left out: the rollup deletes such rows. */
function figuresByPullRequest(rows: Array<{ pr: number } & Figures>): Record<number, Figures> {
  const result: Record<number, Figures> = {};
  for (const { pr, ...figures } of rows) if (Object.values(figures).some((value) => value !== 0)) result[pr] = figures;
  return result;
}

async function expectStoredFromScratch(): Promise<Record<number, Figures>> {
  const expected = await fromScratch();
  expect(await stored()).toEqual(expected);
  return expected;
}

const listed = async () => (await listPullRequests(database.db, { orgId, ...RANGE, kind: "all", page: 1, limit: 50 })).pullRequests;

describe("each pull request's stored figures (pull_request_lines)", () => {
  it("equal a computation from scratch after verdicts are written, and the list shows them", async () => {
    expect(await stored()).toEqual({});
    await writeVerdicts(database.db, [
      verdict("a1", 0.9, [file("src/auth.ts", 0.9, 4, 30), file("src/util.ts", 0.2, 1, 10), file("package-lock.json", 0.9, 1, 50, false)]),
      verdict("a2", 0.7, [file("src/api.ts", 0.7, 2, 12)]),
      verdict("h1", 0.1, [file("src/billing.ts", 0.1, 3, 20)]),
      verdict("late1", 0.8, [file("src/late.ts", 0.8, 3, 8)]),
      verdict("loose1", 0.9, [file("src/loose.ts", 0.9, 4, 100)]),
    ]);
    expect(await expectStoredFromScratch()).toEqual({
      1: { written: 52, ai: 42, t1: 1, t2: 1, t3: 0, t4: 1 },
      2: { written: 20, ai: 0, t1: 0, t2: 0, t3: 0, t4: 0 },
      7: { written: 8, ai: 8, t1: 0, t2: 0, t3: 1, t4: 0 },
    });
    expect(await listed()).toEqual([
      expect.objectContaining({ number: 2, aiAssisted: false, writtenLines: 20, aiLines: 0, highestAiRiskTier: null }),
      expect.objectContaining({ number: 1, aiAssisted: true, writtenLines: 52, aiLines: 42, highestAiRiskTier: 4 }),
    ]);
  });

  it("follow a rescore that turns a commit's files human", async () => {
    await writeVerdicts(database.db, [verdict("a1", 0.2, [file("src/auth.ts", 0.3, 4, 30), file("src/util.ts", 0.2, 1, 10), file("package-lock.json", 0.9, 1, 50, false)])]);
    expect((await expectStoredFromScratch())[1]).toEqual({ written: 52, ai: 12, t1: 1, t2: 1, t3: 0, t4: 0 });
    expect((await listed()).find((row) => row.number === 1)).toMatchObject({ aiAssisted: true, aiLines: 12, highestAiRiskTier: 2 });
  });

  it("move a commit's lines when its pull request changes, and take a late pull request's opening time", async () => {
    await database.sql`update commits set pr_number = 2 where repo_id = ${repoId} and sha = 'a2'`;
    expect(await expectStoredFromScratch()).toMatchObject({ 1: { written: 40, ai: 0 }, 2: { written: 32, ai: 12, t2: 1 } });
    await database.sql`update commits set pr_number = 1 where repo_id = ${repoId} and sha = 'loose1'`;
    expect((await expectStoredFromScratch())[1]).toEqual({ written: 140, ai: 100, t1: 1, t2: 0, t3: 0, t4: 1 });

    await database.sql`insert into pull_requests (org_id, repo_id, number, title, state, base_ref, opened_at)
                       values (${orgId}, ${repoId}, 7, 'PR 7', 'open', 'main', '2026-02-03T09:00:00Z')`;
    const [late] = await database.sql<{ opened: boolean }[]>`
      select opened_at = '2026-02-03T09:00:00Z' as opened from pull_request_lines where repo_id = ${repoId} and pr_number = 7`;
    expect(late!.opened).toBe(true);
    expect((await listed()).map((row) => [row.number, row.aiAssisted, row.aiLines])).toEqual([
      [7, true, 8],
      [2, true, 12],
      [1, true, 100],
    ]);
  });

  it("drop a deleted attribution row's and a deleted commit's lines", async () => {
    await database.sql`delete from code_attribution where repo_id = ${repoId} and commit_sha = 'loose1'`;
    expect((await expectStoredFromScratch())[1]).toMatchObject({ written: 140, ai: 0, t4: 0 });
    await database.sql`delete from commits where repo_id = ${repoId} and sha in ('loose1', 'a2')`;
    const after = await expectStoredFromScratch();
    expect(after[1]).toMatchObject({ written: 40, ai: 0 });
    expect(after[2]).toMatchObject({ written: 20, ai: 0, t2: 0 });
    expect((await listed()).find((row) => row.number === 2)).toMatchObject({ aiAssisted: false, aiLines: 0 });
  });

  it("never wait for a pull request's row another transaction holds: the writer adds a row of its own", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = database.sql.begin(async (tx) => {
      await tx`select 1 from pull_request_lines where repo_id = ${repoId} and pr_number = 7 for update`;
      locked();
      await held;
    });
    await isLocked;
    const write = writeVerdicts(database.db, [verdict("late1", 0.9, [file("src/late.ts", 0.9, 4, 8)])]);
    const outcome = await Promise.race([write, new Promise<"waited">((resolve) => setTimeout(() => resolve("waited"), 5_000))]);
    release();
    await holder;
    expect(outcome).toEqual(["written"]);
    const [rows] = await database.sql<{ count: number }[]>`select count(*)::int as count from pull_request_lines where repo_id = ${repoId} and pr_number = 7`;
    expect(rows!.count).toBe(2);
    expect((await expectStoredFromScratch())[7]).toEqual({ written: 8, ai: 8, t1: 0, t2: 0, t3: 0, t4: 1 });
    expect((await listed()).find((row) => row.number === 7)).toMatchObject({ aiLines: 8, highestAiRiskTier: 4 });
  });

  it("leave nothing behind for a deleted repository", async () => {
    await database.sql`delete from repositories where id = ${repoId}`;
    const [left] = await database.sql<{ count: number }[]>`select count(*)::int as count from pull_request_lines where repo_id = ${repoId}`;
    expect(left!.count).toBe(0);
  });
});
