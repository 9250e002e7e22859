import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type {
  CodeEventDraft,
  CommitDraft,
  CompareRange,
  DeploymentDraft,
  PullRequestDraft,
  RepositoryRef,
  WebhookPlan,
} from "../../domain/ingestion/webhook-plan.ts";
import type { Executor, Transaction } from "../../infrastructure/db/client.ts";
import {
  codeEvents,
  commits,
  deployments,
  githubInstallations,
  organizationMembers,
  organizations,
  pullRequests,
  repositories,
  users,
  webhookDeliveries,
} from "../../infrastructure/db/schema/index.ts";

/** Namespace of the advisory locks that serialise linking per repository and branch (pg_advisory_xact_lock(int, int)). */
const BRANCH_LINK_LOCK = 4_807_001;
/** The detection engine's signal for an agent marker in the pull request's body (domain/detection/markers.ts). */
const PR_MARKER_SIGNAL = "agent-pr-marker";

export interface CommitToAnalyze {
  repoId: string;
  sha: string;
  /** "new": first sight of the commit; "rescore": new context (a PR with agent markers) warrants another look. */
  trigger: "new" | "rescore";
}

export type ApplyOutcome =
  | { status: "ignored"; reason: string }
  | {
      status: "processed";
      orgId: string;
      repoId?: string;
      eventsInserted: number;
      /** New or still-unanalysed commits, plus the commits of a PR whose markers were just seen. */
      commitsToAnalyze: CommitToAnalyze[];
      /** Repositories that became active (installation created or repositories added): candidates for backfill. */
      repositoriesAdded: string[];
      compareRange: CompareRange | null;
      /** A team or membership changed: the worker queues a sync of the organisation's GitHub teams (ADR 076). */
      syncTeams?: boolean;
    };

/**
 * Applies a delivery's plan in one transaction and marks the delivery settled in the same transaction, so a
 * crash leaves either everything or nothing. Every write is keyed (ON CONFLICT), so replaying a delivery
 * changes nothing.
 */
export async function applyWebhookPlan(db: Executor, plan: WebhookPlan, deliveryId: string | null): Promise<ApplyOutcome> {
  return db.transaction(async (tx) => {
    const outcome = await applyInTransaction(tx, plan, deliveryId);
    if (deliveryId) {
      await tx
        .update(webhookDeliveries)
        .set({
          status: outcome.status === "ignored" ? "ignored" : "processed",
          error: outcome.status === "ignored" ? outcome.reason : null,
          processedAt: new Date(),
        })
        .where(eq(webhookDeliveries.deliveryId, deliveryId));
    }
    return outcome;
  });
}

async function applyInTransaction(tx: Transaction, plan: WebhookPlan, deliveryId: string | null): Promise<ApplyOutcome> {
  switch (plan.kind) {
    case "ignored":
      return { status: "ignored", reason: plan.reason };
    case "installation":
      return applyInstallation(tx, plan);
    case "installation_repositories":
      return applyInstallationRepositories(tx, plan);
    case "teams_changed":
      return applyTeamsChanged(tx, plan.installationId, plan.event);
    case "activity":
      return applyActivity(tx, plan, deliveryId);
  }
}

/** Nothing to write: the installation's organisation is named, and the worker queues the teams sync for it. */
async function applyTeamsChanged(tx: Transaction, installationId: number, event: string): Promise<ApplyOutcome> {
  const [installation] = await tx.select({ orgId: githubInstallations.orgId }).from(githubInstallations).where(eq(githubInstallations.id, installationId));
  if (!installation) return { status: "ignored", reason: `${event} for installation ${installationId}, which Sentinel does not know` };
  return { status: "processed", orgId: installation.orgId, eventsInserted: 0, commitsToAnalyze: [], repositoriesAdded: [], compareRange: null, syncTeams: true };
}

/** One organisation per GitHub account; the slug is the login, made unique if another org already has it. */
async function upsertOrganizationForAccount(tx: Transaction, account: { id: number; login: string; type: string }): Promise<string> {
  const [existing] = await tx
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.githubAccountId, account.id));
  if (existing) {
    await tx
      .update(organizations)
      .set({ githubAccountLogin: account.login, githubAccountType: account.type, updatedAt: new Date() })
      .where(eq(organizations.id, existing.id));
    return existing.id;
  }
  const baseSlug = account.login.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  const [taken] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, baseSlug));
  const [created] = await tx
    .insert(organizations)
    .values({
      slug: taken ? `${baseSlug}-${account.id}` : baseSlug,
      name: account.login,
      githubAccountId: account.id,
      githubAccountLogin: account.login,
      githubAccountType: account.type,
    })
    .returning({ id: organizations.id });
  return created!.id;
}

async function upsertRepositories(
  tx: Transaction,
  orgId: string,
  installationId: number,
  refs: RepositoryRef[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const ref of refs) {
    const [row] = await tx
      .insert(repositories)
      .values({
        orgId,
        githubId: ref.githubId,
        installationId,
        fullName: ref.fullName,
        defaultBranch: ref.defaultBranch ?? "main",
        isPrivate: ref.isPrivate ?? true,
        source: "github",
      })
      .onConflictDoUpdate({
        target: [repositories.orgId, repositories.githubId],
        targetWhere: sql`${repositories.githubId} is not null`,
        set: {
          installationId,
          fullName: ref.fullName,
          disabledAt: null,
          updatedAt: new Date(),
          ...(ref.defaultBranch ? { defaultBranch: ref.defaultBranch } : {}),
        },
      })
      .returning({ id: repositories.id });
    ids.push(row!.id);
  }
  return ids;
}

async function applyInstallation(tx: Transaction, plan: Extract<WebhookPlan, { kind: "installation" }>): Promise<ApplyOutcome> {
  const now = new Date();
  // Deleting, suspending or unsuspending an installation Sentinel never recorded would make an organisation for an
  // account that never installed the App here: nothing to update, so nothing is written.
  if (plan.action !== "created") {
    const [known] = await tx.select({ id: githubInstallations.id }).from(githubInstallations).where(eq(githubInstallations.id, plan.installationId));
    if (!known) return { status: "ignored", reason: `installation ${plan.installationId} is not known to Sentinel` };
  }
  const orgId = await upsertOrganizationForAccount(tx, plan.account);
  const values = {
    id: plan.installationId,
    orgId,
    accountId: plan.account.id,
    accountLogin: plan.account.login,
    accountType: plan.account.type,
    repositorySelection: plan.repositorySelection,
    installedByGithubId: plan.installedByGithubId,
  };
  const lifecycle =
    plan.action === "created" || plan.action === "unsuspend"
      ? { deletedAt: null, suspendedAt: null }
      : plan.action === "deleted"
        ? { deletedAt: now }
        : { suspendedAt: now };
  await tx
    .insert(githubInstallations)
    .values({ ...values, ...lifecycle })
    .onConflictDoUpdate({ target: githubInstallations.id, set: { ...lifecycle, orgId, accountLogin: plan.account.login, updatedAt: now } });

  let repositoriesAdded: string[] = [];
  if (plan.action === "created") {
    repositoriesAdded = await upsertRepositories(tx, orgId, plan.installationId, plan.repositories);
    // Whoever installed the App owns the organisation, once they have signed in to Sentinel.
    if (plan.installedByGithubId !== null) {
      const [installer] = await tx.select({ id: users.id }).from(users).where(eq(users.githubId, plan.installedByGithubId));
      if (installer) {
        await tx.insert(organizationMembers).values({ orgId, userId: installer.id, role: "owner" }).onConflictDoNothing();
      }
    }
  } else if (plan.action === "deleted") {
    // The data stays (it is the organisation's history) but disappears from the dashboard and stops updating.
    await tx
      .update(repositories)
      .set({ disabledAt: now, updatedAt: now })
      .where(and(eq(repositories.installationId, plan.installationId), isNull(repositories.disabledAt)));
  }
  return { status: "processed", orgId, eventsInserted: 0, commitsToAnalyze: [], repositoriesAdded, compareRange: null };
}

async function applyInstallationRepositories(
  tx: Transaction,
  plan: Extract<WebhookPlan, { kind: "installation_repositories" }>,
): Promise<ApplyOutcome> {
  const [installation] = await tx
    .select({ orgId: githubInstallations.orgId, deletedAt: githubInstallations.deletedAt })
    .from(githubInstallations)
    .where(eq(githubInstallations.id, plan.installationId));
  if (!installation || installation.deletedAt) {
    return { status: "ignored", reason: `installation ${plan.installationId} is not active in Sentinel` };
  }
  const repositoriesAdded = await upsertRepositories(tx, installation.orgId, plan.installationId, plan.added);
  const removedIds = plan.removed.map((ref) => ref.githubId);
  if (removedIds.length > 0) {
    await tx
      .update(repositories)
      .set({ disabledAt: new Date(), updatedAt: new Date() })
      .where(
        and(
          eq(repositories.orgId, installation.orgId),
          eq(repositories.installationId, plan.installationId),
          inArray(repositories.githubId, removedIds),
        ),
      );
  }
  return { status: "processed", orgId: installation.orgId, eventsInserted: 0, commitsToAnalyze: [], repositoriesAdded, compareRange: null };
}

async function applyActivity(
  tx: Transaction,
  plan: Extract<WebhookPlan, { kind: "activity" }>,
  deliveryId: string | null,
): Promise<ApplyOutcome> {
  // A GitHub App's repository events always name their installation; one without (a repository's own webhook
  // pointed here) cannot be tied to a tenant: a repository id alone may be tracked by several organisations.
  if (plan.installationId === null) {
    return { status: "ignored", reason: `delivery for ${plan.repository.fullName} names no installation` };
  }
  // The repository must belong to a live installation: events for removed repositories or deleted
  // installations are ignored, so their data stays frozen and hidden.
  const [repo] = await tx
    .select({ id: repositories.id, orgId: repositories.orgId, defaultBranch: repositories.defaultBranch })
    .from(repositories)
    .innerJoin(githubInstallations, eq(githubInstallations.id, repositories.installationId))
    .where(
      and(
        eq(repositories.githubId, plan.repository.githubId),
        eq(repositories.installationId, plan.installationId),
        isNull(repositories.disabledAt),
        isNull(githubInstallations.deletedAt),
      ),
    );
  if (!repo) {
    return { status: "ignored", reason: `repository ${plan.repository.fullName} is not tracked (or was removed)` };
  }
  return writeActivity(tx, repo, plan, deliveryId);
}

/**
 * Applies an activity plan to a known repository in one transaction: the write path of history that does not come
 * from a delivery (compare API, backfill, `sentinel import`). Keyed like a delivery, so a replay adds nothing.
 */
export async function applyActivityToRepository(
  db: Executor,
  repo: { id: string; orgId: string },
  plan: Extract<WebhookPlan, { kind: "activity" }>,
): Promise<Extract<ApplyOutcome, { status: "processed" }>> {
  return db.transaction((tx) => writeActivity(tx, repo, plan, null));
}

/** The writes of one activity plan, in the order each relies on: events, commits, then the pull request and deployment. */
async function writeActivity(
  tx: Transaction,
  repo: { id: string; orgId: string },
  plan: Extract<WebhookPlan, { kind: "activity" }>,
  deliveryId: string | null,
): Promise<Extract<ApplyOutcome, { status: "processed" }>> {
  await lockBranches(tx, repo, plan);
  const inserted = await insertCodeEvents(tx, repo, plan.events, deliveryId);
  const eventsInserted = inserted.size;
  const commitsToAnalyze = await upsertPushedCommits(tx, repo, plan.commits);
  if (plan.pullRequest) {
    const eventTime = new Date(plan.events[0]?.timestamp ?? plan.pullRequest.openedAt);
    commitsToAnalyze.push(...(await upsertPullRequest(tx, repo, plan.pullRequest, eventTime)));
    for (const event of plan.events) if (event.type === "pr_review" && inserted.has(event.eventKey)) await countReview(tx, repo, event);
  }
  if (plan.deployment) await upsertDeployment(tx, repo, plan.deployment);
  return {
    status: "processed",
    orgId: repo.orgId,
    repoId: repo.id,
    eventsInserted,
    commitsToAnalyze,
    repositoriesAdded: [],
    compareRange: plan.compareRange,
  };
}

/**
 * A branch's push and its pull request, processed at the same moment, would each link nothing: neither transaction
 * sees the other's uncommitted rows. One at a time per repository and branch, the second sees the first.
 */
async function lockBranches(
  tx: Transaction,
  repo: { id: string },
  plan: Extract<WebhookPlan, { kind: "activity" }>,
): Promise<void> {
  const branches = new Set<string>();
  for (const commit of plan.commits) if (commit.branch) branches.add(commit.branch);
  if (plan.pullRequest) branches.add(plan.pullRequest.headRef);
  for (const branch of [...branches].sort()) {
    await tx.execute(sql`select pg_advisory_xact_lock(${BRANCH_LINK_LOCK}, hashtext(${`${repo.id}/${branch}`}))`);
  }
}

/** Appends the plan's code events; a replayed event is skipped. Returns the keys of the new ones. */
async function insertCodeEvents(
  tx: Transaction,
  repo: { id: string; orgId: string },
  events: CodeEventDraft[],
  deliveryId: string | null,
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const inserted = await tx
    .insert(codeEvents)
    // A draft's fields are the row's columns; its timestamp is ISO text.
    .values(events.map((event) => ({ ...event, orgId: repo.orgId, repoId: repo.id, timestamp: new Date(event.timestamp), deliveryId })))
    .onConflictDoNothing({ target: [codeEvents.repoId, codeEvents.eventKey] })
    .returning({ eventKey: codeEvents.eventKey });
  return new Set(inserted.map((row) => row.eventKey));
}

/** What a pr_review event's payload says about its review (domain/ingestion/webhook-plan.ts, planReview). */
const reviewEventSchema = z.object({
  action: z.enum(["submitted", "dismissed"]),
  state: z.string(),
  reviewId: z.number().int(),
  commented: z.boolean(),
  byAuthor: z.boolean(),
});

/**
 * Adds a review event that was just stored to its pull request's review counts (issue 18, the pull-request lens).
 * Idempotent because it runs only for an event this transaction inserted: a redelivered or replayed review finds its
 * key (pr/N/review/ID/action) taken and counts nothing. An approval that was dismissed stops counting, whichever of
 * its two events arrives first: each looks up the other by its key (one probe of code_events_repo_event_key). The
 * PR's author commenting on their own PR is no review. Deliveries of one PR run one at a time (lockBranches).
 */
async function countReview(tx: Transaction, repo: { id: string }, event: CodeEventDraft): Promise<void> {
  const parsed = reviewEventSchema.safeParse(event.payload);
  if (!parsed.success || event.prNumber === null) return;
  const review = parsed.data;
  if (review.byAuthor) return;
  const keyOf = (action: string) => `pr/${event.prNumber}/review/${review.reviewId}/${action}`;
  const where = and(eq(pullRequests.repoId, repo.id), eq(pullRequests.number, event.prNumber));
  if (review.action === "submitted") {
    const approved = review.state === "approved" && !(await hasEvent(tx, repo, keyOf("dismissed")));
    await tx
      .update(pullRequests)
      .set({
        reviewCount: sql`${pullRequests.reviewCount} + 1`,
        approvalCount: sql`${pullRequests.approvalCount} + ${approved ? 1 : 0}`,
        commentedReviewCount: sql`${pullRequests.commentedReviewCount} + ${review.commented ? 1 : 0}`,
      })
      .where(where);
    return;
  }
  const [submitted] = await tx
    .select({ state: sql<string | null>`${codeEvents.payload} ->> 'state'` })
    .from(codeEvents)
    .where(and(eq(codeEvents.repoId, repo.id), eq(codeEvents.eventKey, keyOf("submitted"))));
  if (submitted?.state !== "approved") return;
  await tx.update(pullRequests).set({ approvalCount: sql`greatest(${pullRequests.approvalCount} - 1, 0)` }).where(where);
}

async function hasEvent(tx: Transaction, repo: { id: string }, eventKey: string): Promise<boolean> {
  const rows = await tx.select({ id: codeEvents.id }).from(codeEvents).where(and(eq(codeEvents.repoId, repo.id), eq(codeEvents.eventKey, eventKey))).limit(1);
  return rows.length > 0;
}

/** Upserts a push's commits and links them to their branch's pull request. Returns the ones still to analyse. */
async function upsertPushedCommits(
  tx: Transaction,
  repo: { id: string; orgId: string },
  drafts: CommitDraft[],
): Promise<CommitToAnalyze[]> {
  const commitsToAnalyze: CommitToAnalyze[] = [];
  if (drafts.length === 0) return commitsToAnalyze;
  const rows = await tx
    .insert(commits)
    // A draft's fields are the row's columns; its author date is ISO text.
    .values(drafts.map((commit) => ({ ...commit, orgId: repo.orgId, repoId: repo.id, authoredAt: new Date(commit.authoredAt) })))
    .onConflictDoUpdate({
      target: [commits.repoId, commits.sha],
      set: {
        // First branch seen wins (the feature branch, usually); being on the default branch is sticky.
        branch: sql`coalesce(${commits.branch}, excluded.branch)`,
        onDefaultBranch: sql`${commits.onDefaultBranch} or excluded.on_default_branch`,
      },
    })
    .returning({ sha: commits.sha, status: commits.analysisStatus });
  for (const row of rows) {
    if (row.status === "pending" || row.status === "failed") commitsToAnalyze.push({ repoId: repo.id, sha: row.sha, trigger: "new" });
  }
  // Commits pushed after their PR event was processed join the PR here (the PR event linked the ones before): the
  // branch's open PR, or a merged/closed one the commit was written before — a push redelivered after its PR was
  // merged belongs to it all the same, and must reach the analysis with the PR's context (markers) whatever the
  // order of arrival. A branch name reused by several PRs goes to the open one, else the latest.
  await tx.execute(sql`
    update commits c set pr_number = matched.number
    from (
      select pushed.sha, (
        select pr.number from pull_requests pr
        where pr.repo_id = pushed.repo_id and pr.head_ref = pushed.branch
          and (pr.state = 'open' or pushed.authored_at <= coalesce(pr.merged_at, pr.closed_at))
        order by (pr.state = 'open') desc, pr.opened_at desc, pr.number desc
        limit 1) as number
      from commits pushed
      where pushed.repo_id = ${repo.id} and pushed.pr_number is null and pushed.branch is not null
        and pushed.sha in ${drafts.map((commit) => commit.sha)}
    ) matched
    where c.repo_id = ${repo.id} and c.sha = matched.sha and matched.number is not null`);
  return commitsToAnalyze;
}

/**
 * Upserts the pull request (a PR, review or its event), links its branch's commits to it, and returns the commits
 * its agent markers ask to re-score.
 */
async function upsertPullRequest(
  tx: Transaction,
  repo: { id: string; orgId: string },
  pr: PullRequestDraft,
  eventTime: Date,
): Promise<CommitToAnalyze[]> {
  await tx
    .insert(pullRequests)
    .values({
      orgId: repo.orgId,
      repoId: repo.id,
      number: pr.number,
      githubId: pr.githubId,
      title: pr.title,
      body: pr.body,
      authorLogin: pr.authorLogin,
      headRef: pr.headRef,
      headSha: pr.headSha,
      baseRef: pr.baseRef,
      state: pr.state,
      draft: pr.draft,
      openedAt: new Date(pr.openedAt),
      readyForReviewAt: pr.readyForReviewAt ? new Date(pr.readyForReviewAt) : null,
      firstReviewAt: pr.reviewSubmittedAt ? new Date(pr.reviewSubmittedAt) : null,
      mergedAt: pr.mergedAt ? new Date(pr.mergedAt) : null,
      closedAt: pr.closedAt ? new Date(pr.closedAt) : null,
      mergeCommitSha: pr.mergeCommitSha,
      aiMarkers: pr.aiMarkers,
      updatedAt: eventTime,
    })
    .onConflictDoUpdate({
      target: [pullRequests.repoId, pullRequests.number],
      set: {
        // Deliveries can arrive out of order: mutable fields only move forward in time, milestones keep
        // their earliest value, and a merge is never undone by a late "synchronize".
        title: sql`case when excluded.updated_at >= ${pullRequests.updatedAt} then excluded.title else ${pullRequests.title} end`,
        body: sql`case when excluded.updated_at >= ${pullRequests.updatedAt} then excluded.body else ${pullRequests.body} end`,
        headSha: sql`case when excluded.updated_at >= ${pullRequests.updatedAt} then excluded.head_sha else ${pullRequests.headSha} end`,
        draft: sql`case when excluded.updated_at >= ${pullRequests.updatedAt} then excluded.draft else ${pullRequests.draft} end`,
        state: sql`case when ${pullRequests.state} = 'merged' then 'merged'
                        when excluded.updated_at >= ${pullRequests.updatedAt} then excluded.state
                        else ${pullRequests.state} end`,
        readyForReviewAt: sql`least(${pullRequests.readyForReviewAt}, excluded.ready_for_review_at)`,
        firstReviewAt: sql`least(${pullRequests.firstReviewAt}, excluded.first_review_at)`,
        mergedAt: sql`coalesce(${pullRequests.mergedAt}, excluded.merged_at)`,
        closedAt: sql`coalesce(excluded.closed_at, ${pullRequests.closedAt})`,
        mergeCommitSha: sql`coalesce(excluded.merge_commit_sha, ${pullRequests.mergeCommitSha})`,
        aiMarkers: sql`case when excluded.updated_at >= ${pullRequests.updatedAt} then excluded.ai_markers else ${pullRequests.aiMarkers} end`,
        updatedAt: sql`greatest(${pullRequests.updatedAt}, excluded.updated_at)`,
      },
    });
  // Link the branch's commits to the PR, so the analysis sees the PR's title and body.
  const linked = await tx
    .update(commits)
    .set({ prNumber: pr.number })
    .where(and(eq(commits.repoId, repo.id), eq(commits.branch, pr.headRef), isNull(commits.prNumber)))
    .returning({ sha: commits.sha, status: commits.analysisStatus });
  // A PR that carries agent markers re-scores its commits with that context.
  if (pr.aiMarkers.length === 0) return [];
  const rescore = new Set(linked.map((row) => row.sha));
  if (pr.aiMarkers.some((marker) => marker.startsWith("pr-body:"))) {
    // Also the PR's commits whose verdict still lacks the PR's marker: a re-run of this delivery (the worker died
    // between this transaction's commit and queueing the re-score) asks for it again, under the same job id.
    const unscored = await tx
      .select({ sha: commits.sha })
      .from(commits)
      .where(
        and(
          eq(commits.repoId, repo.id),
          eq(commits.prNumber, pr.number),
          eq(commits.analysisStatus, "analyzed"),
          sql`not (${commits.signals} @> ${JSON.stringify([{ id: PR_MARKER_SIGNAL }])}::jsonb)`,
        ),
      );
    for (const row of unscored) rescore.add(row.sha);
  }
  return [...rescore].map((sha) => ({ repoId: repo.id, sha, trigger: "rescore" as const }));
}

/** Upserts a deployment (from a deployment event) or moves its status forward (from a deployment_status event). */
async function upsertDeployment(tx: Transaction, repo: { id: string; orgId: string }, deployment: DeploymentDraft): Promise<void> {
  const terminal = deployment.status && ["success", "failure", "error", "inactive"].includes(deployment.status);
  await tx
    .insert(deployments)
    .values({
      orgId: repo.orgId,
      repoId: repo.id,
      githubId: deployment.githubId,
      sha: deployment.sha,
      ref: deployment.ref,
      environment: deployment.environment,
      isProduction: deployment.isProduction,
      status: deployment.status ?? "pending",
      createdAt: new Date(deployment.createdAt),
      finishedAt: terminal && deployment.statusAt ? new Date(deployment.statusAt) : null,
      creatorLogin: deployment.creatorLogin,
    })
    .onConflictDoUpdate({
      target: [deployments.repoId, deployments.githubId],
      // Statuses can arrive out of order (a failed delivery redelivered later): a final state (finished_at set) is
      // never undone by a progress state, and between final states the later one wins.
      set: deployment.status
        ? {
            status: sql`case
              when excluded.finished_at is not null then
                case when ${deployments.finishedAt} is null or excluded.finished_at >= ${deployments.finishedAt} then excluded.status else ${deployments.status} end
              when ${deployments.finishedAt} is not null then ${deployments.status}
              else excluded.status end`,
            finishedAt: sql`greatest(${deployments.finishedAt}, excluded.finished_at)`,
          }
        : { environment: deployment.environment },
    });
}
