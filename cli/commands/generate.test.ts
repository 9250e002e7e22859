import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { bufferIo, useCliDatabase } from "../../tests/support/cli.ts";
import type { TestDatabase } from "../../tests/support/database.ts";
import { createGenerateCommand, generateCommand } from "./generate.ts";

let database: TestDatabase;
const ARGS = ["--org", "bench", "--repos", "3", "--days", "21", "--until", "2026-03-20"];

useCliDatabase((created) => {
  database = created;
});

/** A fingerprint of the generated rows that ignores nothing a benchmark could notice. */
async function fingerprint() {
  const [row] = await database.sql<{ commits: string; events: string; attribution: string; metrics: string; alerts: string; reviews: string; teams: string }[]>`
    select
      (select md5(string_agg(concat_ws('|', repo_id, sha, authored_at, ai_confidence, lines_added, pr_number, signals::text), ',' order by repo_id, sha)) from commits) as commits,
      (select md5(string_agg(concat_ws('|', repo_id, number, first_review_at, review_count, approval_count, commented_review_count, ai_markers::text), ',' order by repo_id, number)) from pull_requests) as reviews,
      (select md5(string_agg(concat_ws('|', t.id, t.slug, t.source, m.login, m.source), ',' order by t.slug, m.login)) from teams t join team_members m on m.team_id = t.id) as teams,
      (select md5(string_agg(concat_ws('|', id, type, event_key, timestamp, payload::text), ',' order by id)) from code_events) as events,
      (select md5(string_agg(concat_ws('|', commit_sha, file_path, risk_tier, ai_confidence, lines_added), ',' order by commit_sha, file_path)) from code_attribution) as attribution,
      (select md5(string_agg(concat_ws('|', repo_id, date, commits, ai_lines_added, ai_tax), ',' order by repo_id, date)) from repo_metrics) as metrics,
      (select md5(string_agg(concat_ws('|', repo_id, rule, triggered_at), ',' order by triggered_at, rule, repo_id)) from alerts) as alerts`;
  return row!;
}

/** What issue 18's views read: several AI tools named by their markers, reviews and unreviewed merges, and teams. */
async function expectIssue18Data(orgId: string) {
  const tools = await database.sql<{ tool: string | null }[]>`
    select distinct jsonb_path_query_first(signals, '$[*] ? (@.agent != null).agent') #>> '{}' as tool
    from commits where org_id = ${orgId} and ai_confidence >= 0.5`;
  expect(tools.filter((row) => row.tool !== null).length).toBeGreaterThanOrEqual(6);
  // A marker without its tool would read as "unknown" (stored before tools were recorded): none is generated.
  const [unknown] = await database.sql<{ count: number }[]>`
    select count(*)::int as count from commits where org_id = ${orgId} and jsonb_path_exists(signals, '$[*] ? (@.id starts with "agent-")') and not jsonb_path_exists(signals, '$[*].agent')`;
  expect(unknown!.count).toBe(0);

  const [reviews] = await database.sql<{ reviewed: number; unreviewed_merges: number; counted: number; events: number; approvals: number; approval_events: number }[]>`
    select (select count(*)::int from pull_requests where org_id = ${orgId} and review_count > 0) as reviewed,
      (select count(*)::int from pull_requests where org_id = ${orgId} and state = 'merged' and first_review_at is null and review_count = 0) as unreviewed_merges,
      (select sum(review_count)::int from pull_requests where org_id = ${orgId}) as counted,
      (select count(*)::int from code_events where org_id = ${orgId} and type = 'pr_review') as events,
      (select sum(approval_count)::int from pull_requests where org_id = ${orgId}) as approvals,
      (select count(*)::int from code_events where org_id = ${orgId} and type = 'pr_review' and payload ->> 'state' = 'approved') as approval_events`;
  expect(reviews!.reviewed).toBeGreaterThan(0);
  expect(reviews!.unreviewed_merges).toBeGreaterThan(0);
  expect(reviews!.counted).toBe(reviews!.events);
  expect(reviews!.approvals).toBe(reviews!.approval_events);

  const [teams] = await database.sql<{ teams: number; memberships: number; unknown_logins: number; org_members: number; members: number }[]>`
    select (select count(*)::int from teams where org_id = ${orgId}) as teams,
      (select count(*)::int from team_members where org_id = ${orgId}) as memberships,
      (select count(*)::int from team_members m where m.org_id = ${orgId} and not exists (select 1 from github_org_members g where g.org_id = m.org_id and g.login = m.login)) as unknown_logins,
      (select count(*)::int from github_org_members where org_id = ${orgId}) as org_members,
      (select count(*)::int from organization_members where org_id = ${orgId}) - 1 as members`;
  expect(teams!.teams).toBeGreaterThanOrEqual(2);
  expect(teams!.memberships).toBeGreaterThanOrEqual(0.85 * teams!.org_members);
  expect(teams!.unknown_logins).toBe(0);
  // Every generated member (not the bench user) is in the GitHub organisation's member list.
  expect(teams!.org_members).toBe(teams!.members);
}

describe("sentinel generate", () => {
  it("writes a whole organisation with its derived metrics and a bench owner, and a rerun replaces it with the same rows", async () => {
    // Another tenant in the same database must survive regeneration untouched.
    await database.sql`insert into organizations (slug, name) values ('neighbour', 'Neighbour')`;
    const io = bufferIo();
    expect(await generateCommand.run(ARGS, io)).toBe(0);
    expect(io.out()).toMatch(/Generated organisation "bench" \([0-9a-f-]{36}\) in \d+ s: commits [\d,]+, code_attribution [\d,]+/);
    expect(io.err()).toContain("history: 3/3 (100 %)");
    expect(io.err()).toContain("metrics: 3/3 (100 %)");

    const [org] = await database.sql<{ id: string; generated: { completedAt: string; counts: Record<string, number> } }[]>`
      select id, settings -> 'generated' as generated from organizations where slug = 'bench'`;
    expect(org!.generated.completedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const [sizes] = await database.sql<{ commits: number; events: number; attribution: number; patches: number; prs: number; metrics: number; survival: number }[]>`
      select (select count(*) from commits where org_id = ${org!.id})::int as commits,
        (select count(*) from code_events where org_id = ${org!.id})::int as events,
        (select count(*) from code_attribution where org_id = ${org!.id})::int as attribution,
        (select count(*) from commit_file_patches where org_id = ${org!.id})::int as patches,
        (select count(*) from pull_requests where org_id = ${org!.id})::int as prs,
        (select count(*) from repo_metrics where org_id = ${org!.id})::int as metrics,
        (select count(*) from line_survival where org_id = ${org!.id})::int as survival`;
    expect(sizes).toMatchObject({
      commits: org!.generated.counts.commits,
      events: org!.generated.counts.code_events,
      attribution: org!.generated.counts.code_attribution,
      patches: org!.generated.counts.commit_file_patches,
      prs: org!.generated.counts.pull_requests,
      // Every day of the period for every repository, by the nightly job's code.
      metrics: 3 * 21,
    });
    expect(sizes!.events).toBeGreaterThan(sizes!.commits * 3);
    expect(sizes!.survival).toBeGreaterThan(0);
    // The daily rows agree with the raw rows they were computed from.
    const [check] = await database.sql<{ metric_commits: number; analysed: number }[]>`
      select (select sum(commits)::int from repo_metrics where org_id = ${org!.id}) as metric_commits,
        (select count(*)::int from commits where org_id = ${org!.id} and analysis_status = 'analyzed') as analysed`;
    expect(check!.metric_commits).toBeGreaterThan(0.9 * check!.analysed);
    expect(check!.metric_commits).toBeLessThanOrEqual(check!.analysed);
    const [owner] = await database.sql<{ login: string; role: string }[]>`
      select u.login, m.role from organization_members m join users u on u.id = m.user_id
      where m.org_id = ${org!.id} and u.login = 'bench'`;
    expect(owner).toEqual({ login: "bench", role: "owner" });

    await expectIssue18Data(org!.id);

    const first = await fingerprint();
    expect(await generateCommand.run(ARGS, bufferIo())).toBe(0);
    expect(await fingerprint()).toEqual(first);
    const orgs = await database.sql<{ slug: string }[]>`select slug from organizations order by slug`;
    expect(orgs.map((row) => row.slug)).toEqual(["bench", "neighbour"]);
    const [users] = await database.sql<{ bench: number }[]>`select count(*)::int as bench from users where login = 'bench'`;
    expect(users!.bench).toBe(1);

    // Another seed is another organisation.
    expect(await generateCommand.run([...ARGS, "--seed", "7"], bufferIo())).toBe(0);
    expect((await fingerprint()).commits).not.toEqual(first.commits);
  }, 240_000);

  it("rejects bad options with one line naming the option", async () => {
    await expect(generateCommand.run(["--repos", "0"], bufferIo())).rejects.toThrow("--repos must be at least 1");
    await expect(generateCommand.run(["--days", "ten"], bufferIo())).rejects.toThrow("--days must be a whole number");
    await expect(generateCommand.run(["--until", "2026-02-30"], bufferIo())).rejects.toThrow("--until must be a date YYYY-MM-DD");
    await expect(generateCommand.run(["--org", "Not A Slug"], bufferIo())).rejects.toThrow("--org must be a slug");
    await expect(generateCommand.run(["--rows", "5"], bufferIo())).rejects.toThrow("Unknown option '--rows'");
  });

  it("refuses the embedded database", async () => {
    const url = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      await expect(generateCommand.run(["--repos", "1"], bufferIo())).rejects.toThrow("needs DATABASE_URL");
    } finally {
      process.env.DATABASE_URL = url;
    }
  });

  it("without bench/ (the production image leaves it out) says it is a development tool and exits 2", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "sentinel-no-bench-"));
    try {
      const io = bufferIo();
      expect(await createGenerateCommand(pathToFileURL(`${empty}/`)).run(["--repos", "1"], io)).toBe(2);
      expect(io.err()).toBe("sentinel generate is a development tool: run it from a source checkout\n");
      expect(io.out()).toBe("");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
