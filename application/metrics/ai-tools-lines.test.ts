import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENTS } from "../../domain/detection/agents.ts";
import { analyzeCommit } from "../../domain/detection/engine.ts";
import type { NormalisedCommit } from "../../domain/detection/types.ts";
import { planWebhookIngestion } from "../../domain/ingestion/webhook-plan.ts";
import type { LineFate } from "../../domain/metrics/provenance.ts";
import { DAY_MS } from "../../domain/metrics/time.ts";
import { MIGRATIONS_FOLDER, migrateDatabase } from "../../infrastructure/db/migrate.ts";
import { repositories } from "../../infrastructure/db/schema/index.ts";
import { installationPayload } from "../../tests/fixtures/webhooks.ts";
import { addedPatch, makeCommit, makeFile } from "../../tests/support/commits.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { buildCommitVerdict } from "../analysis/analyze-stored-commit.ts";
import { writeVerdicts } from "../analysis/verdict-writer.ts";
import { applyWebhookPlan } from "../ingestion/apply-webhook-plan.ts";
import { LIFE_TABLE_WEEKS, loadPooledToolLines, pooledSurvivalAfter, reworkShare, storeToolLineCohorts, toolLineCohorts, type PooledToolLines } from "./ai-tools-lines.ts";
import { computeRepoSurvival } from "./survival.ts";

const T0 = Date.UTC(2026, 0, 5, 12); // a Monday
const AS_OF = T0 + 70 * DAY_MS;

function fate(sha: string, bornDay: number, end: LineFate["end"], endDay: number | null, count: number, ai = true): LineFate {
  return {
    origin: { sha, path: "src/a.ts", ai, bornAt: T0 + bornDay * DAY_MS },
    end,
    endAt: endDay === null ? null : T0 + endDay * DAY_MS,
    endSha: endDay === null ? null : "later",
    count,
  };
}

const weekOf = (bornAt: number) => new Date(bornAt - (((new Date(bornAt).getUTCDay() + 6) % 7) * DAY_MS)).toISOString().slice(0, 10);

describe("a tool's line cohorts (pure)", () => {
  const tools = new Map([["claude", AGENTS.claudeCode], ["cursor", AGENTS.cursor]]);

  it("puts each AI line under its commit's tool and birth week, with deaths and censoring by whole weeks since birth", () => {
    const cohorts = toolLineCohorts(
      [
        fate("claude", 0, "died", 3, 10), // reworked within 14 days, week 0
        fate("claude", 1, "died", 20, 5), // died in week 2 (19 days), not reworked
        fate("claude", 2, "alive", null, 85), // censored at as_of: 68 days → week 9
        fate("cursor", 0, "lost", 10, 4), // lost within the rework window: not followed
        fate("claude", 0, "died", 1, 50, false), // a human file's lines: no tool
        fate("unscored", 0, "alive", null, 7), // a commit under the AI threshold: no tool
      ],
      tools,
      { asOf: AS_OF, weekOf },
    );
    expect(cohorts).toHaveLength(2);
    const claude = cohorts.find((cohort) => cohort.tool === AGENTS.claudeCode)!;
    expect(claude).toMatchObject({ week: "2026-01-05", linesBorn: 100, maturedLines: 100, reworkedLines: 10 });
    expect(claude.deathsByWeek).toHaveLength(LIFE_TABLE_WEEKS);
    expect(claude.deathsByWeek[0]).toBe(10);
    expect(claude.deathsByWeek[2]).toBe(5);
    expect(claude.censoredByWeek[9]).toBe(85);
    expect(cohorts.find((cohort) => cohort.tool === AGENTS.cursor)).toMatchObject({ linesBorn: 4, maturedLines: 0, reworkedLines: 0 });
  });

  it("leaves lines younger than 14 days out of the tax, and keeps no fate from week 12 on", () => {
    const [young] = toolLineCohorts([fate("claude", 65, "died", 66, 3)], tools, { asOf: AS_OF, weekOf });
    expect(young).toMatchObject({ linesBorn: 3, maturedLines: 0, reworkedLines: 0 });
    const [old] = toolLineCohorts([fate("claude", 0, "died", 100, 3)], tools, { asOf: T0 + 200 * DAY_MS, weekOf });
    expect(old!.deathsByWeek.reduce((a, b) => a + b, 0)).toBe(0);
    expect(old!.maturedLines).toBe(3);
  });

  it("pools into Kaplan–Meier by week, null once no line is followed, and the rework share of matured lines", () => {
    const pooled = { linesBorn: 100, maturedLines: 80, reworkedLines: 20, deathsByWeek: [10, 0, 9, 0, 0, 0], censoredByWeek: [0, 0, 0, 0, 81, 0] };
    expect(pooledSurvivalAfter(pooled, 1)).toBeCloseTo(0.9);
    // 90 at risk in week 2, 9 die: 0.9 × 0.9.
    expect(pooledSurvivalAfter(pooled, 4)).toBeCloseTo(0.81);
    expect(pooledSurvivalAfter(pooled, 5)).toBeCloseTo(0.81);
    expect(pooledSurvivalAfter(pooled, 6)).toBeNull();
    expect(reworkShare(pooled)).toBe(0.25);
    expect(reworkShare({ ...pooled, maturedLines: 0 })).toBeNull();
  });
});

describe("computeRepoSurvival stores each tool's cohorts (repo_weekly_tool_lines)", () => {
  let database: TestDatabase;
  let scope: { orgId: string; repoId: string; fullName: string; timeZone: string };
  const code = Array.from({ length: 10 }, (_, index) => `export const value${index} = compute(${index}); // keep`);

  async function analysed(seed: string, authoredAt: string, overrides: Partial<NormalisedCommit>): Promise<void> {
    const person = { name: "Dana Smith", email: "dana@example.org", date: authoredAt };
    const commit = makeCommit({ sha: createHash("sha1").update(seed).digest("hex"), author: person, committer: person, ...overrides });
    await database.sql`insert into commits (org_id, repo_id, sha, authored_at, on_default_branch) values (${scope.orgId}, ${scope.repoId}, ${commit.sha}, ${authoredAt}, true)`;
    expect(await writeVerdicts(database.db, [buildCommitVerdict({ orgId: scope.orgId, repoId: scope.repoId, sha: commit.sha }, commit, analyzeCommit(commit), null, new Date(AS_OF))])).toEqual(["written"]);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const deliveryId = randomUUID();
    const repo = { id: 96002, full_name: "lines-org/app", default_branch: "main" };
    await applyWebhookPlan(database.db, planWebhookIngestion("installation", installationPayload("created", 96001 + 1, { id: 96001, login: "lines-org" }, [repo]), deliveryId), deliveryId);
    const [row] = await database.db.select({ repoId: repositories.id, orgId: repositories.orgId }).from(repositories).where(eq(repositories.githubId, 96002));
    scope = { ...row!, fullName: "lines-org/app", timeZone: "UTC" };
    await database.sql`update organizations set timezone = 'UTC' where id = ${scope.orgId}`;
    await analysed("claude", "2026-01-06T10:00:00Z", {
      message: "Add values\n\nCo-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>",
      files: [makeFile({ path: "src/values.ts", status: "added", additions: 10, deletions: 0, patch: addedPatch(code) })],
    });
    // Three days later a person rewrites the first four lines.
    const rewrite = ["@@ -1,5 +1,2 @@", ...code.slice(0, 4).map((line) => `-${line}`), "+export const first = 1;", "+export const second = 2;", ` ${code[4]}`].join("\n");
    await analysed("human", "2026-01-09T10:00:00Z", { files: [makeFile({ path: "src/values.ts", status: "modified", additions: 2, deletions: 4, patch: rewrite })] });
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
  });

  it("follows the tool's lines: four of ten reworked within 14 days, the rest alive", async () => {
    await computeRepoSurvival(database.db, scope, { asOfDate: "2026-03-16" });
    const pooled = await loadPooledToolLines(database.db, { orgId: scope.orgId, repoId: null }, { firstWeek: "2026-01-05", lastWeek: "2026-03-09" });
    const claude = pooled.get(AGENTS.claudeCode);
    expect(claude).toMatchObject({ linesBorn: 10, maturedLines: 10, reworkedLines: 4 });
    expect(reworkShare(claude!)).toBeCloseTo(0.4);
    expect(pooledSurvivalAfter(claude!, 4)).toBeCloseTo(0.6);
    expect([...pooled.keys()]).toEqual([AGENTS.claudeCode]);
    // Another organisation's id reads nothing; so does a repository of this one under another organisation's id.
    expect((await loadPooledToolLines(database.db, { orgId: randomUUID(), repoId: scope.repoId }, { firstWeek: "2026-01-05", lastWeek: "2026-03-09" })).size).toBe(0);
    // A second run with nothing new changes no row.
    const [before] = await database.sql<{ computed_at: Date }[]>`select computed_at from repo_weekly_tool_lines where repo_id = ${scope.repoId}`;
    await computeRepoSurvival(database.db, scope, { asOfDate: "2026-03-16" });
    const [after] = await database.sql<{ computed_at: Date }[]>`select computed_at from repo_weekly_tool_lines where repo_id = ${scope.repoId}`;
    expect(after!.computed_at).toEqual(before!.computed_at);
  });
});

/**
 * Kaplan–Meier straight from the lines' fates, without a life table: at risk in week k are the lines followed at
 * least k whole weeks, whatever became of them later. What the stored columns must reproduce exactly (ADR 081).
 */
function survivalFromScratch(lines: readonly { weeks: number; died: boolean; count: number }[], after: number): number | null {
  let survival = 1;
  for (let week = 0; week < after; week += 1) {
    const atRisk = lines.filter((line) => line.weeks >= week).reduce((sum, line) => sum + line.count, 0);
    if (atRisk <= 0) return null;
    const deaths = lines.filter((line) => line.weeks === week && line.died).reduce((sum, line) => sum + line.count, 0);
    survival *= 1 - deaths / atRisk;
  }
  return survival;
}

describe("the weekly life-table columns read what a from-scratch computation gives (ADR 081)", () => {
  let database: TestDatabase;
  let scope: { orgId: string; repoId: string; fullName: string; timeZone: string };
  const WEEKS = 6;
  const TOOLS = [AGENTS.claudeCode, AGENTS.cursor];
  const commitOf = (tool: string, week: number) => createHash("sha1").update(`${tool}/${week}`).digest("hex");
  const toolOf = new Map(TOOLS.flatMap((tool) => Array.from({ length: WEEKS }, (_, week) => [commitOf(tool, week), tool] as const)));
  // Each tool's commit of each cohort week leaves lines that die 0..13 whole weeks later (past the kept weeks too),
  // lines lost to a truncated patch, and lines still alive.
  const fates: LineFate[] = TOOLS.flatMap((tool, toolIndex) =>
    Array.from({ length: WEEKS }, (_, week) => [
      ...Array.from({ length: 14 }, (_, lived) => fate(commitOf(tool, week), week * 7, "died", week * 7 + lived * 7 + 2, 1 + ((lived + week + toolIndex) % 4))),
      fate(commitOf(tool, week), week * 7 + 1, "lost", week * 7 + 30, 3 + toolIndex),
      fate(commitOf(tool, week), week * 7 + 1, "alive", null, 40 + week * 5 + toolIndex),
    ]).flat(),
  );
  const firstRun = { asOf: T0 + 84 * DAY_MS, firstWeek: "2026-01-05", lastWeek: "2026-03-23" };
  // The job a week later rewrites every week but the first, whose rows stay as the first run left them.
  const secondRun = { asOf: T0 + 91 * DAY_MS, firstWeek: "2026-01-12", lastWeek: "2026-03-30" };

  beforeAll(async () => {
    database = await createTestDatabase();
    const deliveryId = randomUUID();
    const repo = { id: 96012, full_name: "columns-org/app", default_branch: "main" };
    await applyWebhookPlan(database.db, planWebhookIngestion("installation", installationPayload("created", 96011 + 1, { id: 96011, login: "columns-org" }, [repo]), deliveryId), deliveryId);
    const [row] = await database.db.select({ repoId: repositories.id, orgId: repositories.orgId }).from(repositories).where(eq(repositories.githubId, 96012));
    scope = { ...row!, fullName: "columns-org/app", timeZone: "UTC" };
    await database.sql`update organizations set timezone = 'UTC' where id = ${scope.orgId}`;
    for (const tool of TOOLS) {
      for (let week = 0; week < WEEKS; week += 1) {
        const signals = [{ id: "agent-coauthor-trailer", agent: tool }];
        await database.sql`
          insert into commits (org_id, repo_id, sha, authored_at, on_default_branch, ai_confidence, signals)
          values (${scope.orgId}, ${scope.repoId}, ${commitOf(tool, week)}, ${new Date(T0 + week * 7 * DAY_MS).toISOString()}, true, 0.9, ${JSON.stringify(signals)}::jsonb)`;
      }
    }
    for (const run of [firstRun, secondRun]) {
      await storeToolLineCohorts(database.db, scope, fates, { asOf: new Date(run.asOf), firstWeek: run.firstWeek, lastWeek: run.lastWeek, from: new Date(T0) });
    }
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
  });

  /** A line's fate as the run that last wrote its cohort week saw it. */
  function followed(tool: string, weeks: { firstWeek: string; lastWeek: string }) {
    return fates.flatMap((line) => {
      const week = weekOf(line.origin.bornAt);
      if (toolOf.get(line.origin.sha) !== tool || week < weeks.firstWeek || week > weeks.lastWeek) return [];
      const asOf = week < secondRun.firstWeek ? firstRun.asOf : secondRun.asOf;
      const died = line.end === "died" && line.endAt! <= asOf;
      const endedAt = line.end === "alive" ? asOf : Math.min(line.endAt!, asOf);
      return [{ weeks: Math.floor((endedAt - line.origin.bornAt) / (7 * DAY_MS)), died, count: line.count }];
    });
  }

  it.each([
    ["every cohort", { firstWeek: "2026-01-05", lastWeek: "2026-03-30" }],
    ["the cohorts the second run rewrote", { firstWeek: "2026-01-12", lastWeek: "2026-02-09" }],
    ["the cohort only the first run wrote", { firstWeek: "2026-01-05", lastWeek: "2026-01-05" }],
  ])("%s: each tool's survival after 4 and 12 weeks is Kaplan–Meier over its lines", async (_, weeks) => {
    const pooled = await loadPooledToolLines(database.db, { orgId: scope.orgId, repoId: null }, weeks);
    expect([...pooled.keys()].sort()).toEqual([...TOOLS].sort());
    for (const [tool, lines] of pooled) {
      const fromScratch = followed(tool, weeks);
      expect(lines.linesBorn).toBe(fromScratch.reduce((sum, line) => sum + line.count, 0));
      for (const after of [1, 4, 8, 12]) expect(pooledSurvivalAfter(lines, after)).toBeCloseTo(survivalFromScratch(fromScratch, after)!, 12);
    }
  });

  it("reads the same pooled life table as the in-memory cohorts of the two runs", async () => {
    const cohorts = [
      ...toolLineCohorts(fates, toolOf, { asOf: firstRun.asOf, weekOf }).filter((cohort) => cohort.week < secondRun.firstWeek),
      ...toolLineCohorts(fates, toolOf, { asOf: secondRun.asOf, weekOf }).filter((cohort) => cohort.week >= secondRun.firstWeek),
    ];
    const expected = new Map<string, PooledToolLines>();
    for (const cohort of cohorts) {
      const pooled = expected.get(cohort.tool);
      const add = (a: readonly number[], b: readonly number[]) => a.map((value, week) => value + b[week]!);
      expected.set(
        cohort.tool,
        pooled
          ? {
              linesBorn: pooled.linesBorn + cohort.linesBorn,
              maturedLines: pooled.maturedLines + cohort.maturedLines,
              reworkedLines: pooled.reworkedLines + cohort.reworkedLines,
              deathsByWeek: add(pooled.deathsByWeek, cohort.deathsByWeek),
              censoredByWeek: add(pooled.censoredByWeek, cohort.censoredByWeek),
            }
          : cohort,
      );
    }
    const stored = await loadPooledToolLines(database.db, { orgId: scope.orgId, repoId: scope.repoId }, { firstWeek: "2026-01-05", lastWeek: "2026-03-30" });
    for (const [tool, lines] of expected) {
      expect(stored.get(tool)).toEqual({ linesBorn: lines.linesBorn, maturedLines: lines.maturedLines, reworkedLines: lines.reworkedLines, deathsByWeek: lines.deathsByWeek, censoredByWeek: lines.censoredByWeek });
      expect(stored.get(tool)!.deathsByWeek.every((deaths) => deaths > 0)).toBe(true);
    }
  });

  it("leaves a disabled repository's lines out of the organisation's figures, not out of the repository's", async () => {
    const weeks = { firstWeek: "2026-01-05", lastWeek: "2026-03-30" };
    const enabled = await loadPooledToolLines(database.db, { orgId: scope.orgId, repoId: null }, weeks);
    await database.sql`update repositories set disabled_at = '2026-04-01T00:00:00Z' where id = ${scope.repoId}`;
    try {
      expect((await loadPooledToolLines(database.db, { orgId: scope.orgId, repoId: null }, weeks)).size).toBe(0);
      expect(await loadPooledToolLines(database.db, { orgId: scope.orgId, repoId: scope.repoId }, weeks)).toEqual(enabled);
    } finally {
      await database.sql`update repositories set disabled_at = null where id = ${scope.repoId}`;
    }
    expect(await loadPooledToolLines(database.db, { orgId: scope.orgId, repoId: null }, weeks)).toEqual(enabled);
  });
});

describe("migration 0027 carries the stored life tables over (an install upgrading with history)", () => {
  let database: TestDatabase;
  let folder: string;

  /** The migrations before 0027, as an install that has not upgraded yet applied them. */
  function migrationsBefore(tag: string): string {
    const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as { entries: { tag: string }[] };
    const entries = journal.entries.slice(0, journal.entries.findIndex((entry) => entry.tag === tag));
    const target = fs.mkdtempSync(path.join(os.tmpdir(), "sentinel-before-0027-"));
    fs.mkdirSync(path.join(target, "meta"));
    fs.writeFileSync(path.join(target, "meta/_journal.json"), JSON.stringify({ ...journal, entries }));
    for (const entry of entries) fs.copyFileSync(path.join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), path.join(target, `${entry.tag}.sql`));
    return target;
  }

  beforeAll(async () => {
    database = await createTestDatabase({ empty: true });
    folder = migrationsBefore("0027_tool_lines_columns");
    await migrate(drizzle(database.sql), { migrationsFolder: folder });
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it("moves each week's deaths and censorings into its column: every tool's figures read the same as from the arrays", async () => {
    const [org] = await database.sql<{ id: string }[]>`insert into organizations (slug, name, timezone) values ('upgrade', 'Upgrade', 'UTC') returning id`;
    const [repo] = await database.sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${org!.id}, 'upgrade/app') returning id`;
    // As the survival job stored them before 0027: arrays of weeks 0..12 (week 12 read by no figure).
    const stored = [
      { week: "2026-01-05", tool: AGENTS.claudeCode, born: 500, deaths: [30, 12, 9, 7, 6, 5, 4, 3, 2, 2, 1, 1, 9], censored: [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 7] },
      { week: "2026-01-12", tool: AGENTS.claudeCode, born: 300, deaths: [20, 10, 5, 5, 4, 3, 2, 2, 1, 1, 1, 1, 4], censored: [2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2] },
      { week: "2026-01-05", tool: AGENTS.cursor, born: 200, deaths: [40, 5, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], censored: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] },
    ];
    for (const row of stored) {
      await database.sql`
        insert into repo_weekly_tool_lines (org_id, repo_id, week, tool, lines_born, matured_lines, reworked_lines, deaths_by_week, censored_by_week, as_of)
        values (${org!.id}, ${repo!.id}, ${row.week}, ${row.tool}, ${row.born}, ${row.born - 50}, 40, ${row.deaths}::int[], ${row.censored}::int[], '2026-04-06T00:00:00Z')`;
    }
    const before = (tool: string): PooledToolLines => {
      const rows = stored.filter((row) => row.tool === tool);
      const sum = (pick: (row: (typeof rows)[number]) => number[]) => pick(rows[0]!).map((_, week) => rows.reduce((total, row) => total + pick(row)[week]!, 0));
      const born = rows.reduce((total, row) => total + row.born, 0);
      return { linesBorn: born, maturedLines: born - 50 * rows.length, reworkedLines: 40 * rows.length, deathsByWeek: sum((row) => row.deaths), censoredByWeek: sum((row) => row.censored) };
    };

    expect((await migrateDatabase(database.url)).applied).toBeGreaterThan(0);

    const after = await loadPooledToolLines(database.db, { orgId: org!.id, repoId: null }, { firstWeek: "2026-01-05", lastWeek: "2026-01-12" });
    for (const tool of [AGENTS.claudeCode, AGENTS.cursor]) {
      const arrays = before(tool);
      expect(after.get(tool)).toEqual({ ...arrays, deathsByWeek: arrays.deathsByWeek.slice(0, 12), censoredByWeek: arrays.censoredByWeek.slice(0, 12) });
      expect(pooledSurvivalAfter(after.get(tool)!, 4)).toBe(pooledSurvivalAfter(arrays, 4));
      expect(pooledSurvivalAfter(after.get(tool)!, 12)).toBe(pooledSurvivalAfter(arrays, 12));
      expect(reworkShare(after.get(tool)!)).toBe(reworkShare(arrays));
    }
    const columns = await database.sql<{ column_name: string }[]>`select column_name from information_schema.columns where table_name = 'repo_weekly_tool_lines' and column_name like '%by_week'`;
    expect(columns).toEqual([]);
  }, 120_000);
});
