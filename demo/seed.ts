import { and, eq, sql } from "drizzle-orm";
import type { JobQueue } from "../domain/ports.ts";
import { enqueueCommitAnalysis } from "../application/analysis/enqueue-analysis.ts";
import { enqueueDemoMetrics } from "./metrics-job.ts";
import type { Database } from "../infrastructure/db/client.ts";
import { commits, githubInstallations, incidents, organizations, repositories, webhookDeliveries } from "../infrastructure/db/schema/index.ts";
import { createIncident } from "../application/incidents/create-incident.server.ts";
import { analyzeStoredCommit } from "../application/analysis/analyze-stored-commit.ts";
import type { CommitToAnalyze } from "../application/ingestion/apply-webhook-plan.ts";
import { createCommitSourceResolver } from "../application/analysis/commit-sources.ts";
import { demoDatasetFor, type DemoSettings } from "./commit-source.ts";
import { processWebhookDelivery } from "../application/ingestion/process-delivery.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";
import { recomputeMetrics } from "../application/metrics/recompute.ts";
import { createMemoryLock } from "../infrastructure/queue/memory-lock.ts";
import { seedTeams } from "../application/teams/seed-teams.ts";
import { DEMO_ORG_MEMBERS, DEMO_TEAMS } from "./dataset/teams.ts";

export const DEMO_ORG_SLUG = "acme-demo";
export const DEFAULT_DEMO_SEED = 20_260_101;

export interface SeedProgress {
  phase: "deliveries" | "analysis";
  done: number;
  total: number;
}

export interface SeedDemoOptions {
  seed?: number;
  /**
   * The moment the seeding runs (default: the real clock). A new dataset's window ends here, and inline seeding
   * computes the demo's metrics as of it, so a test that passes a fixed `now` gets the same rows whatever day it
   * runs on. (With analysis "queue", the demo-metrics job computes them by the workers' clock.)
   */
  now?: Date;
  days?: number;
  /**
   * "queue": hand commit analysis to the workers (npm start, where they run in the same process).
   * "inline": analyse here, before returning (the CLI, which has no workers of its own).
   */
  analysis: "queue" | "inline";
  onProgress?: (progress: SeedProgress) => void;
  /** Compute the demo's daily metrics once its commits are analysed (default true; metric tests start empty). */
  metrics?: boolean;
}

export type SeedDemoResult =
  | { status: "exists"; orgId: string }
  | { status: "seeded"; orgId: string; deliveries: number; commits: number; incidents: number };

/**
 * Creates the demo organisation from the deterministic generator and replays its GitHub deliveries through
 * the webhook worker's own use-case, then analyses every commit with the detection engine — the path live data
 * takes. Every step is keyed, so an interrupted seeding resumes where it stopped on the next run.
 */
export async function seedDemoOrganization(
  deps: { db: Database; queue: JobQueue; logger: Logger },
  options: SeedDemoOptions,
): Promise<SeedDemoResult> {
  const { db, logger } = deps;
  const now = options.now ?? new Date();
  const [existing] = await db
    .select({ id: organizations.id, settings: organizations.settings })
    .from(organizations)
    .where(and(eq(organizations.slug, DEMO_ORG_SLUG), eq(organizations.isDemo, true)));
  const previous = existing?.settings?.demo as (DemoSettings & { seededAt?: string }) | undefined;
  if (existing && previous?.seededAt) return { status: "exists", orgId: existing.id };

  const settings: DemoSettings = previous ?? {
    seed: options.seed ?? DEFAULT_DEMO_SEED,
    anchor: now.toISOString(),
    days: options.days ?? 90,
  };
  const dataset = demoDatasetFor(settings);
  logger.info(
    { deliveries: dataset.deliveries.length, commits: dataset.commits.length, resumed: Boolean(existing) },
    "seeding the demo organisation",
  );

  const orgId = await db.transaction(async (tx) => {
    const [org] = await tx
      .insert(organizations)
      .values({
        slug: DEMO_ORG_SLUG,
        name: "Acme (demo)",
        githubAccountId: dataset.account.id,
        githubAccountLogin: dataset.account.login,
        githubAccountType: dataset.account.type,
        isDemo: true,
        timezone: "America/Los_Angeles",
        settings: { demo: settings },
      })
      .onConflictDoUpdate({ target: organizations.slug, set: { updatedAt: new Date() } })
      .returning({ id: organizations.id });
    await tx
      .insert(githubInstallations)
      .values({
        id: dataset.account.installationId,
        orgId: org!.id,
        accountId: dataset.account.id,
        accountLogin: dataset.account.login,
        accountType: dataset.account.type,
        repositorySelection: "selected",
      })
      .onConflictDoNothing();
    await tx
      .insert(repositories)
      .values(
        dataset.repositories.map((repo) => ({
          orgId: org!.id,
          githubId: repo.id,
          installationId: dataset.account.installationId,
          fullName: repo.full_name,
          defaultBranch: repo.default_branch,
          isPrivate: repo.private,
          source: "demo" as const,
        })),
      )
      .onConflictDoNothing();
    return org!.id;
  });
  // Teams (issue 18) before the history: three GitHub teams and a manual team of two that the team views keep hidden;
  // their figures fill in as the commits are replayed.
  await seedTeams(db, orgId, { teams: DEMO_TEAMS, orgMembers: DEMO_ORG_MEMBERS }, now);

  // Record the deliveries as if GitHub had sent them, then process each with the webhook worker's use-case,
  // in delivery order (a push before the analysis that needs the author's previous commit).
  for (let start = 0; start < dataset.deliveries.length; start += 500) {
    const batch = dataset.deliveries.slice(start, start + 500);
    await db
      .insert(webhookDeliveries)
      .values(
        batch.map((delivery) => ({
          deliveryId: delivery.id,
          event: delivery.event,
          action: "action" in delivery.payload ? String(delivery.payload.action) : null,
          installationId: dataset.account.installationId,
          payload: delivery.payload as unknown as Record<string, unknown>,
          receivedAt: new Date(delivery.receivedAt),
        })),
      )
      .onConflictDoNothing();
  }
  const toAnalyze: CommitToAnalyze[] = [];
  let done = 0;
  for (const delivery of dataset.deliveries) {
    const outcome = await processWebhookDelivery(db, delivery.id);
    if (outcome.status === "processed") {
      // With workers at hand, analysis starts while later deliveries are still being replayed, so the dashboard
      // fills in early. The author's earlier commits are recorded by then: deliveries are replayed in order.
      if (options.analysis === "queue") {
        for (const target of outcome.commitsToAnalyze) await enqueueCommitAnalysis(deps.queue, { ...target, trigger: "new" });
      } else {
        toAnalyze.push(...outcome.commitsToAnalyze);
      }
    }
    else if (outcome.status !== "ignored") logger.warn({ deliveryId: delivery.id, outcome }, "demo delivery was not processed");
    done += 1;
    if (done % 250 === 0 || done === dataset.deliveries.length) {
      options.onProgress?.({ phase: "deliveries", done, total: dataset.deliveries.length });
    }
  }

  // Anything still pending from an interrupted earlier run is analysed too.
  const pending = await db
    .select({ repoId: commits.repoId, sha: commits.sha })
    .from(commits)
    .where(and(eq(commits.orgId, orgId), sql`${commits.analysisStatus} in ('pending', 'failed')`));
  const unique = new Map<string, CommitToAnalyze>();
  for (const target of [...toAnalyze, ...pending.map((row) => ({ ...row, trigger: "new" as const }))]) {
    unique.set(`${target.repoId}/${target.sha}`, { ...target, trigger: "new" });
  }
  const targets = [...unique.values()];
  if (options.analysis === "inline") {
    const resolveSource = createCommitSourceResolver(db, null);
    let analysed = 0;
    for (const target of targets) {
      await analyzeStoredCommit(db, resolveSource, target);
      analysed += 1;
      if (analysed % 100 === 0 || analysed === targets.length) {
        options.onProgress?.({ phase: "analysis", done: analysed, total: targets.length });
      }
    }
  } else {
    for (const target of targets) await enqueueCommitAnalysis(deps.queue, target);
  }

  const incidentCount = await seedIncidents(db, orgId, dataset.incidents);
  // Metrics the way the nightly job computes them, once every commit is analysed: inline here, or by a job that
  // waits for the workers.
  if (options.metrics === false) {
    // The caller computes metrics itself.
  } else if (options.analysis === "inline") {
    await recomputeMetrics({ db, lock: createMemoryLock(), now }, { orgId });
  } else {
    await enqueueDemoMetrics(deps.queue, orgId);
  }
  await db
    .update(organizations)
    .set({ settings: sql`jsonb_set(${organizations.settings}, '{demo,seededAt}', to_jsonb(${new Date().toISOString()}::text))` })
    .where(eq(organizations.id, orgId));
  logger.info({ orgId, commits: targets.length, incidents: incidentCount }, "demo organisation seeded");
  return { status: "seeded", orgId, deliveries: dataset.deliveries.length, commits: targets.length, incidents: incidentCount };
}

async function seedIncidents(
  db: Database,
  orgId: string,
  demoIncidents: ReturnType<typeof demoDatasetFor>["incidents"],
): Promise<number> {
  const [{ count } = { count: 0 }] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(incidents)
    .where(and(eq(incidents.orgId, orgId), eq(incidents.source, "demo")));
  if (count > 0) return count;
  const repos = await db
    .select({ id: repositories.id, fullName: repositories.fullName })
    .from(repositories)
    .where(eq(repositories.orgId, orgId));
  let created = 0;
  for (const incident of demoIncidents) {
    const repo = repos.find((candidate) => candidate.fullName === incident.repoFullName);
    if (!repo) continue;
    const result = await createIncident(
      db,
      orgId,
      {
        repoId: repo.id,
        title: incident.title,
        severity: incident.severity,
        startedAt: incident.startedAt,
        resolvedAt: incident.resolvedAt,
        source: "demo",
        suspectedCommitShas: incident.suspectedCommitShas,
      },
      null,
    );
    if (!result.ok) throw new Error(`demo incident "${incident.title}" was rejected: ${JSON.stringify(result)}`);
    created += 1;
  }
  return created;
}
