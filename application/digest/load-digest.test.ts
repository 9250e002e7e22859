import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestAsText } from "../../domain/digest/digest.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { buildOrganizationDigest, findDigestOrganization, loadDigestNumbers } from "./load-digest.ts";
import { organizationsDueForDigest } from "./tick.ts";

/** Monday 7 December 2026, 08:30 in Berlin: the digest covers 30 Nov – 6 Dec. */
const NOW = new Date("2026-12-07T07:30:00Z");
const WEEK = { start: "2026-11-30", end: "2026-12-06" };

let database: TestDatabase;
let acme: { orgId: string; apiId: string; webId: string };

/** An organisation with one repository and a week of activity; `label` keeps its names apart from the others'. */
async function seedOrganization(slug: string, timeZone: string, label: string) {
  const sql = database.sql;
  const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name, timezone) values (${slug}, ${`${label} Inc`}, ${timeZone}) returning id`;
  const orgId = org!.id;
  const repository = async (name: string, disabled = false) => {
    const [row] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name, disabled_at) values (${orgId}, ${`${slug}/${name}`}, ${disabled ? "2026-11-01T00:00:00Z" : null}) returning id`;
    return row!.id;
  };
  const apiId = await repository("api");
  const webId = await repository("web");
  const oldId = await repository("old", true);
  const commit = (repo: string, sha: string, at: string, confidence: number, lines: number, agent: string | null = null, pr: number | null = null) =>
    sql`insert into commits (org_id, repo_id, sha, authored_at, analysis_status, ai_confidence, written_lines, signals, pr_number)
        values (${orgId}, ${repo}, ${sha}, ${at}, 'analyzed', ${confidence}, ${lines},
          ${JSON.stringify(agent ? [{ id: "co-author-trailer", weight: 1, evidence: "trailer", agent }] : [])}::jsonb, ${pr})`;
  const file = (repo: string, sha: string, path: string, confidence: number, tier: number, lines: number) =>
    sql`insert into code_attribution (org_id, repo_id, commit_sha, file_path, change_type, ai_confidence, risk_tier, base_risk_tier, detector_version, authored_at, lines_added)
        select org_id, repo_id, sha, ${path}, 'modified', ${confidence}, ${tier}, ${tier}, 'test', authored_at, ${lines} from commits where repo_id = ${repo} and sha = ${sha}`;
  // The week: two agent commits (one in a PR merged without review, touching a T4 file), one human commit.
  await commit(apiId, `${label}a1`, "2026-12-01T10:00:00Z", 0.99, 300, "Claude Code", 7);
  await file(apiId, `${label}a1`, `src/auth/${label}-session.ts`, 0.99, 4, 120);
  await commit(webId, `${label}a2`, "2026-12-03T10:00:00Z", 0.97, 100, "Cursor");
  await file(webId, `${label}a2`, `src/billing/${label}-charge.ts`, 0.97, 3, 40);
  await commit(apiId, `${label}h1`, "2026-12-02T10:00:00Z", 0.01, 600);
  // Sunday 23:30 in Berlin is still the week; Monday 00:30 Berlin (Sunday 23:30 UTC) is the next one.
  await commit(apiId, `${label}late`, "2026-12-06T22:30:00Z", 0.01, 10);
  await commit(apiId, `${label}next`, "2026-12-06T23:30:00Z", 0.99, 5000, "Claude Code");
  // The week before: human commits only.
  await commit(apiId, `${label}p1`, "2026-11-25T10:00:00Z", 0.01, 900);
  // A disabled repository's commits are left out.
  await commit(oldId, `${label}o1`, "2026-12-02T10:00:00Z", 0.99, 7000, "Devin");
  await sql`insert into pull_requests (org_id, repo_id, number, title, state, base_ref, opened_at, merged_at)
    values (${orgId}, ${apiId}, 7, ${`${label} login rework`}, 'merged', 'main', '2026-11-30T09:00:00Z', '2026-12-02T12:00:00Z')`;
  const [incident] = await sql<{ id: string }[]>`insert into incidents (org_id, repo_id, title, severity, started_at)
    values (${orgId}, ${apiId}, ${`${label} outage`}, 'sev2', '2026-12-04T10:00:00Z') returning id`;
  await sql`insert into incident_commits (incident_id, repo_id, commit_sha) values (${incident!.id}, ${apiId}, ${`${label}a1`})`;
  await sql`insert into incidents (org_id, repo_id, title, severity, started_at) values (${orgId}, ${webId}, 'unrelated', 'sev4', '2026-12-05T10:00:00Z')`;
  return { orgId, apiId, webId };
}

beforeAll(async () => {
  database = await createTestDatabase();
  acme = await seedOrganization("acme", "Europe/Berlin", "acme");
  // Another organisation with the same kind of week: none of its numbers or names may reach Acme's digest.
  await seedOrganization("globex", "Europe/Berlin", "globex");
}, 60_000);

afterAll(async () => {
  await database?.drop();
});

describe("loadDigestNumbers", () => {
  it("adds up the organisation's enabled repositories over its local week", async () => {
    const organization = (await findDigestOrganization(database.db, { slug: "acme" }))!;
    const numbers = await loadDigestNumbers(database.db, organization, WEEK);
    expect(numbers.share.commits).toBe(4);
    expect(numbers.share.lines).toBe(1010);
    // The two agent commits' 400 lines, give or take what the estimate makes of the confidences.
    expect(numbers.share.aiLines).toBeGreaterThan(350);
    expect(numbers.share.aiLines).toBeLessThan(450);
    expect(numbers.previousShare).toMatchObject({ commits: 1, lines: 900 });
    expect(numbers.tools.sort((a, b) => a.tool.localeCompare(b.tool))).toEqual([
      { tool: "Claude Code", commits: 1, writtenLines: 300 },
      { tool: "Cursor", commits: 1, writtenLines: 100 },
    ]);
    expect(numbers.riskyFileCount).toBe(2);
    expect(numbers.riskyFiles.map((file) => [file.riskTier, file.repoFullName, file.path])).toEqual([
      [4, "acme/api", "src/auth/acme-session.ts"],
      [3, "acme/web", "src/billing/acme-charge.ts"],
    ]);
    expect(numbers.incidents).toEqual({ started: 2, aiAttributed: 1 });
    expect(numbers.unreviewedAiMerges).toEqual({
      merged: 1,
      aiHighRiskMerged: 1,
      unreviewed: 1,
      pullRequests: [{ repoId: acme.apiId, repoFullName: "acme/api", number: 7, title: "acme login rework" }],
    });
  });

  it("never shows another organisation's numbers or names", async () => {
    const built = await buildOrganizationDigest(database.db, { id: acme.orgId }, { now: NOW });
    if (!built.ok) throw new Error("no organisation");
    expect(built.digest.week).toEqual(WEEK);
    const text = digestAsText(built.digest);
    expect(text).toContain("acme/api");
    expect(text).not.toMatch(/globex/i);
    expect(text).toContain("2 incidents started; 1 of them with AI-written lines in the suspected commits.");
  });

  it("an organisation without activity that week gets the plain empty digest", async () => {
    const built = await buildOrganizationDigest(database.db, { slug: "acme" }, { now: NOW, weekStart: "2026-10-05" });
    expect(built.ok && built.digest.empty).toBe(true);
    expect(await buildOrganizationDigest(database.db, { slug: "nobody" }, { now: NOW })).toEqual({ ok: false, code: "ORG_NOT_FOUND" });
  });
});

describe("organizationsDueForDigest", () => {
  it("picks the organisations from Monday 08:00 local time for a day that have an opted-in Slack or email channel still waiting for the week", async () => {
    const sql = database.sql;
    const zones = { berlin: "Europe/Berlin", tokyo: "Asia/Tokyo", la: "America/Los_Angeles", kolkata: "Asia/Kolkata", none: "Europe/Berlin", pager: "Europe/Berlin" };
    const ids: Record<string, string> = {};
    for (const [slug, zone] of Object.entries(zones)) {
      const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name, timezone) values (${`due-${slug}`}, ${slug}, ${zone}) returning id`;
      ids[slug] = org!.id;
      const kind = slug === "pager" ? "pagerduty" : "email";
      const config = kind === "email" ? { to: ["lead@example.com"] } : { routingKey: "R0UT1NGKEY0000000000000000000001" };
      if (slug !== "none") await sql`insert into notification_channels (org_id, kind, name, config, weekly_digest) values (${org!.id}, ${kind}, 'digest', ${JSON.stringify(config)}::jsonb, true)`;
    }
    const due = async (at: string) => (await organizationsDueForDigest(database.db, new Date(at))).filter((entry) => Object.values(ids).includes(entry.orgId));
    const name = (orgId: string) => Object.entries(ids).find(([, id]) => id === orgId)![0];
    const names = async (at: string) => (await due(at)).map((entry) => name(entry.orgId)).sort();
    // 07:05 UTC: 08:05 in Berlin (pager and none have no digest channel), Monday 16:05 in Tokyo and 12:35 in Kolkata:
    // all three in the window; still Sunday in Los Angeles.
    expect((await due("2026-12-07T07:05:00Z")).map((entry) => [name(entry.orgId), entry.weekStart]).sort()).toEqual([
      ["berlin", "2026-11-30"],
      ["kolkata", "2026-11-30"],
      ["tokyo", "2026-11-30"],
    ]);
    // Sunday 23:05 UTC is Monday 08:05 in Tokyo; Monday 00:05 in Berlin is before the window.
    expect((await due("2026-12-06T23:05:00Z")).map((entry) => [name(entry.orgId), entry.weekStart])).toEqual([["tokyo", "2026-11-30"]]);
    // 02:35 UTC is 08:05 in Kolkata (UTC+5:30).
    expect(await names("2026-12-07T02:35:00Z")).toEqual(["kolkata", "tokyo"]);
    // A tick missed on Monday morning is made up until Tuesday 08:00 local: 07:55 in Berlin is still in the window.
    expect(await names("2026-12-08T06:55:00Z")).toEqual(["berlin", "la"]);
    // Tuesday 08:05 in Berlin: the window has closed everywhere but Los Angeles (Monday 23:05 there).
    expect(await names("2026-12-08T07:05:00Z")).toEqual(["la"]);
    // Once Berlin's channel has its row for the week, Berlin is no longer due.
    await sql`insert into digest_deliveries (org_id, channel_id, week_start)
      select org_id, id, '2026-11-30' from notification_channels where org_id = ${ids.berlin!}`;
    expect(await names("2026-12-07T07:05:00Z")).toEqual(["kolkata", "tokyo"]);
  });
});
