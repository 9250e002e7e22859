import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DETECTOR_VERSION } from "../../domain/detection/index.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import {
  HISTORY_NOW,
  OLD_DETECTOR_VERSION,
  rewindToOldDetector,
  seedAnalysedHistory,
  snapshotMetrics,
  snapshotVerdicts,
  type AnalysedHistory,
} from "../../tests/support/rescore-history.ts";
import { createMemoryLock } from "../../infrastructure/queue/memory-lock.ts";
import { recomputeStaleMetrics } from "../metrics/recompute.ts";
import { markMetricsStale } from "../metrics/stale-ranges.ts";
import {
  countRescoreWork,
  describeUnrebuildable,
  organizationsNeedingRescore,
  rescoreStoredCommits,
  resolveRescoreScope,
  type RescoreRepository,
} from "./rescore.ts";

let database: TestDatabase;
let history: AnalysedHistory;
let repository: RescoreRepository;
let fresh: Awaited<ReturnType<typeof snapshotVerdicts>>;
let freshMetrics: Awaited<ReturnType<typeof snapshotMetrics>>;
const lock = createMemoryLock();

/** Recomputes what the marks say, as of the fixture's "now". */
const recompute = () => recomputeStaleMetrics({ db: database.db, lock, now: HISTORY_NOW }, [history.repoId]);

/** Marks the whole history stale and recomputes it: the metrics of whatever verdicts are stored now. */
async function recomputeWholeHistory() {
  await markMetricsStale(database.db, { orgId: history.orgId, repoId: history.repoId, first: "2026-06-01T00:00:00Z", last: "2026-06-10T23:00:00Z" });
  return recompute();
}

async function versions(): Promise<Map<string, string>> {
  const rows = await database.sql<{ sha: string; detector_version: string }[]>`
    select sha, detector_version from commits where repo_id = ${history.repoId} order by authored_at, sha`;
  return new Map(rows.map((row) => [row.sha, row.detector_version]));
}

beforeAll(async () => {
  database = await createTestDatabase();
  history = await seedAnalysedHistory(database.db, "rescore", { owner: 91001, repo: 91002, installation: 9101 });
  repository = { repoId: history.repoId, orgId: history.orgId, fullName: history.fullName };
  fresh = await snapshotVerdicts(database.sql, history.repoId);
  await recomputeWholeHistory();
  freshMetrics = await snapshotMetrics(database.sql, history.repoId);
}, 60_000);

afterAll(async () => {
  await database?.drop();
});

describe("re-scoring stored history", () => {
  it("the fixture is what an analysis writes: every commit analysed by this detector, with its input kept", () => {
    expect(fresh.commits).toHaveLength(24);
    expect(fresh.commits.every((row) => row.detector_version === DETECTOR_VERSION)).toBe(true);
    expect(fresh.inputs).toHaveLength(24);
    // Agent trailers live in message bodies, which no other table keeps.
    expect(fresh.commits.filter((row) => (row.signals as Array<{ id: string }>).some((signal) => signal.id === "agent-coauthor-trailer")).length).toBeGreaterThan(0);
    expect(freshMetrics.metrics.length).toBeGreaterThan(20);
    expect(freshMetrics.survival.length).toBeGreaterThan(0);
  });

  it("after a detector change, writes exactly the rows a fresh analysis writes and recomputes the metrics; a second run does nothing", async () => {
    await rewindToOldDetector(database.sql, history.repoId);
    await recomputeWholeHistory();
    const stale = await snapshotMetrics(database.sql, history.repoId);
    expect(stale.metrics).not.toEqual(freshMetrics.metrics);
    expect(await countRescoreWork(database.db, [history.repoId])).toEqual({ stale: 24, current: 0, withoutSource: 0 });
    expect(await organizationsNeedingRescore(database.db)).toEqual([{ orgId: history.orgId, commits: 24 }]);

    const progress: number[] = [];
    const result = await rescoreStoredCommits(database.db, [repository], { batchSize: 5, onProgress: ({ done }) => progress.push(done) });
    expect(result).toMatchObject({
      rescored: 24,
      rebuilt: { "stored-input": 24, "demo-dataset": 0, "push-payload": 0 },
      changed: 24,
      deferred: 0,
      unrebuildable: {},
      current: 0,
      stopped: false,
      total: 24,
    });
    expect(result.repositories).toEqual([repository]);
    expect(progress).toEqual([5, 10, 15, 20, 24]);
    expect(await snapshotVerdicts(database.sql, history.repoId)).toEqual(fresh);

    const recomputed = await recompute();
    // From the first re-scored day on (Los Angeles days): the 90 days after the last read the re-scored commits in their
    // AI-share prior window, cut at the day before this test's fixed now.
    expect(recomputed).toEqual([expect.objectContaining({ fullName: history.fullName, from: "2026-06-01", to: "2026-06-30", days: 30 })]);
    expect(await snapshotMetrics(database.sql, history.repoId)).toEqual(freshMetrics);

    const again = await rescoreStoredCommits(database.db, [repository]);
    expect(again).toMatchObject({ rescored: 0, changed: 0, current: 24, stopped: false, total: 0 });
    expect(await recompute()).toEqual([]);
    expect(await organizationsNeedingRescore(database.db)).toEqual([]);
  });

  it("a run stopped after some batches leaves whole batches only; the next run finishes, as if never stopped", async () => {
    await rewindToOldDetector(database.sql, history.repoId);
    const first = await rescoreStoredCommits(database.db, [repository], { batchSize: 3, limit: 7 });
    expect(first).toMatchObject({ rescored: 7, stopped: true });
    // The oldest seven, by authored time; every other commit untouched.
    const midway = [...(await versions()).values()];
    expect(midway.slice(0, 7).every((version) => version === DETECTOR_VERSION)).toBe(true);
    expect(midway.slice(7).every((version) => version === OLD_DETECTOR_VERSION)).toBe(true);

    // Stopped by a signal after the first batch: that batch is written whole, nothing after it.
    const stop = new AbortController();
    const second = await rescoreStoredCommits(database.db, [repository], { batchSize: 4, signal: stop.signal, onProgress: () => stop.abort() });
    expect(second).toMatchObject({ rescored: 4, current: 7, stopped: true });
    expect([...(await versions()).values()].filter((version) => version === DETECTOR_VERSION)).toHaveLength(11);

    // The metrics were not recomputed by either run: the mark covers both, and the run that finishes recomputes them.
    const last = await rescoreStoredCommits(database.db, [repository]);
    expect(last).toMatchObject({ rescored: 13, current: 11, stopped: false });
    expect(await snapshotVerdicts(database.sql, history.repoId)).toEqual(fresh);
    await recompute();
    expect(await snapshotMetrics(database.sql, history.repoId)).toEqual(freshMetrics);
  });

  it("rebuilds a commit analysed before inputs were kept from its push payload: the trailer in its message body is found, its input stored", async () => {
    // An installation upgrading from a detector that kept no input: every verdict is old, no input row exists.
    await rewindToOldDetector(database.sql, history.repoId);
    await database.sql`delete from commit_detection_inputs where repo_id = ${history.repoId}`;
    // Commit 0: an agent trailer in its message body, a lockfile and a generated file (uncounted: no patch stored).
    const legacy = history.records[0]!;
    expect(legacy.commit.message).toContain("\n\nCo-Authored-By: Claude <noreply@anthropic.com>");
    const [stored] = await database.sql<{ headline: string; event_message: string; ai_confidence: number }[]>`
      select c.message_headline as headline, e.payload ->> 'message' as event_message, c.ai_confidence from commits c
      join code_events e on e.repo_id = c.repo_id and e.event_key = 'commit/' || c.sha
      where c.repo_id = ${history.repoId} and c.sha = ${legacy.sha}`;
    // Only the push delivery keeps the whole message: the commit row and its event keep the first line.
    expect(stored).toMatchObject({ headline: "Add handler module 0", event_message: "Add handler module 0" });
    expect(stored!.ai_confidence).toBeLessThan(0.5);
    const [payload] = await database.sql<{ count: number }[]>`
      select count(*)::int as count from webhook_deliveries d, jsonb_array_elements(d.payload -> 'commits') listed
      where d.event = 'push' and listed ->> 'id' = ${legacy.sha} and listed ->> 'message' like '%Co-Authored-By: Claude%'`;
    expect(payload!.count).toBe(1);
    expect(await countRescoreWork(database.db, [history.repoId])).toEqual({ stale: 24, current: 0, withoutSource: 0 });
    expect(await organizationsNeedingRescore(database.db)).toEqual([{ orgId: history.orgId, commits: 24 }]);

    const result = await rescoreStoredCommits(database.db, [repository], { batchSize: 7 });
    expect(result).toMatchObject({ rescored: 24, rebuilt: { "stored-input": 0, "demo-dataset": 0, "push-payload": 24 }, unrebuildable: {}, stopped: false });

    const [rescored] = await database.sql<{ ai_confidence: number; signals: Array<{ id: string }>; input: { message: string; rebuiltFrom: string } }[]>`
      select c.ai_confidence, c.signals, i.input from commits c
      join commit_detection_inputs i on i.repo_id = c.repo_id and i.commit_sha = c.sha
      where c.repo_id = ${history.repoId} and c.sha = ${legacy.sha}`;
    expect(rescored!.ai_confidence).toBeGreaterThanOrEqual(0.9);
    expect(rescored!.signals.map((signal) => signal.id)).toContain("agent-coauthor-trailer");
    expect(rescored!.input).toMatchObject({ v: 1, message: legacy.commit.message, rebuiltFrom: "push-payload" });

    // Every row but the input document is what a fresh analysis wrote, to the lockfile's and the generated file's.
    const after = await snapshotVerdicts(database.sql, history.repoId);
    expect({ ...after, inputs: [] }).toEqual({ ...fresh, inputs: [] });
    expect(after.inputs).toHaveLength(24);
    await recompute();
    expect(await snapshotMetrics(database.sql, history.repoId)).toEqual(freshMetrics);

    // Idempotent: nothing left; the next detector change re-scores from the inputs stored now.
    expect(await rescoreStoredCommits(database.db, [repository])).toMatchObject({ rescored: 0, current: 24, unrebuildable: {}, total: 0 });
    expect(await organizationsNeedingRescore(database.db)).toEqual([]);
    await rewindToOldDetector(database.sql, history.repoId);
    expect(await rescoreStoredCommits(database.db, [repository])).toMatchObject({ rescored: 24, rebuilt: { "stored-input": 24, "push-payload": 0 } });
    expect(await snapshotVerdicts(database.sql, history.repoId)).toEqual(after);
    await recompute();
  });

  it("a commit with neither a stored input nor a push payload keeps its verdict, is counted with the reason, and queues nothing", async () => {
    const [backfilled, unpatched] = [history.records[5]!, history.records[6]!];
    await database.sql`update commits set detector_version = ${OLD_DETECTOR_VERSION} where repo_id = ${history.repoId} and sha in ${database.sql([backfilled.sha, unpatched.sha])}`;
    await database.sql`delete from commit_detection_inputs where repo_id = ${history.repoId} and commit_sha in ${database.sql([backfilled.sha, unpatched.sha])}`;
    // Recorded as a backfill records it: an event without a delivery.
    await database.sql`update code_events set delivery_id = null where repo_id = ${history.repoId} and event_key = ${`commit/${backfilled.sha}`}`;
    // Analysed before counted files' patches were kept.
    await database.sql`delete from commit_file_patches where repo_id = ${history.repoId} and commit_sha = ${unpatched.sha}`;
    expect(await countRescoreWork(database.db, [history.repoId])).toEqual({ stale: 0, current: 22, withoutSource: 2 });
    expect(await organizationsNeedingRescore(database.db)).toEqual([]);

    for (let run = 0; run < 2; run += 1) {
      const result = await rescoreStoredCommits(database.db, [repository]);
      expect(result).toMatchObject({ rescored: 0, current: 22, unrebuildable: { "no-push-payload": 1, "patch-missing": 1 }, stopped: false, total: 2 });
      expect(describeUnrebuildable(result.unrebuildable)).toBe(
        "1: no stored input and no stored push lists it (recorded by a backfill or a compare); 1: a counted file's patch was not stored",
      );
    }
    expect((await versions()).get(backfilled.sha)).toBe(OLD_DETECTOR_VERSION);
    expect((await versions()).get(unpatched.sha)).toBe(OLD_DETECTOR_VERSION);
    expect(await database.sql`select 1 from commit_detection_inputs where repo_id = ${history.repoId} and commit_sha in ${database.sql([backfilled.sha, unpatched.sha])}`).toHaveLength(0);
  });

  it("resolves --org and --repo to enabled repositories, and says which one it cannot find", async () => {
    expect(await resolveRescoreScope(database.db, {})).toEqual({ ok: true, repositories: [repository] });
    expect(await resolveRescoreScope(database.db, { orgSlug: history.orgSlug, repo: history.fullName })).toEqual({ ok: true, repositories: [repository] });
    expect(await resolveRescoreScope(database.db, { orgSlug: "nobody" })).toEqual({ ok: false, code: "ORG_NOT_FOUND", message: 'no organisation with the slug "nobody"' });
    expect(await resolveRescoreScope(database.db, { repo: "nobody/nothing" })).toEqual({ ok: false, code: "REPO_NOT_FOUND", message: "no enabled repository named nobody/nothing" });
  });
});
