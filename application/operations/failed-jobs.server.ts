/**
 * The queues page (issue 9): depth per queue, and the failed jobs of the signed-in organisation with retry and
 * discard. Queues are shared by every organisation of the install; a job belongs to the organisation its data
 * points at (ADR 070), and a job that points at none, or at another organisation, is never shown or touched.
 */
import { and, desc, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import { z } from "zod";
import { QUEUE_NAMES, type FailedJob, type JobQueue, type QueueCounts, type QueueName } from "../../domain/ports.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { alerts, deployments, githubInstallations, incidents, repositories, webhookDeliveries } from "../../infrastructure/db/schema/index.ts";
import { fieldErrorsOf } from "../../domain/field-errors.ts";

export const FAILED_JOBS_PAGE_SIZE = 20;
/**
 * Failed jobs read from a queue per request to find one organisation's (newest first). BullMQ keeps failed jobs
 * for 7 days; past this many, older failures are not listed (the page says so) until newer ones are dealt with.
 */
export const FAILED_JOBS_SCAN_LIMIT = 1000;
/** Errors can quote whole responses; the page shows the start. */
const FAILED_REASON_MAX_CHARS = 2000;

export interface QueueOperationsDeps {
  db: Executor;
  queue: JobQueue;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function field(data: unknown, key: string): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const value = (data as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}

function uuidField(data: unknown, key: string): string | undefined {
  const value = field(data, key);
  return value !== undefined && UUID.test(value) ? value : undefined;
}

/**
 * The organisation each job belongs to, from the ids its data carries (the job payloads of jobs/): `orgId`
 * itself, else the owner of its `repoId`, `alertId`, `deploymentId`, `incidentId`, or of the installation its
 * webhook `deliveryId` came from. null for jobs that carry none (the hourly ticks, recovery) or whose row is gone.
 */
export async function resolveJobOrganizations(db: Executor, jobs: readonly { data: unknown }[]): Promise<(string | null)[]> {
  const lookups = {
    repoId: { table: repositories, key: repositories.id, org: repositories.orgId },
    alertId: { table: alerts, key: alerts.id, org: alerts.orgId },
    deploymentId: { table: deployments, key: deployments.id, org: deployments.orgId },
    incidentId: { table: incidents, key: incidents.id, org: incidents.orgId },
  } as const;
  const owners = new Map<string, string>();
  await Promise.all(
    (Object.entries(lookups) as [keyof typeof lookups, (typeof lookups)[keyof typeof lookups]][]).map(async ([name, lookup]) => {
      const ids = [...new Set(jobs.flatMap((job) => uuidField(job.data, name) ?? []))];
      if (ids.length === 0) return;
      const rows = await db.select({ id: lookup.key, orgId: lookup.org }).from(lookup.table).where(inArray(lookup.key, ids));
      for (const row of rows) owners.set(`${name}/${row.id}`, row.orgId);
    }),
  );
  const deliveryIds = [...new Set(jobs.flatMap((job) => field(job.data, "deliveryId") ?? []))];
  if (deliveryIds.length > 0) {
    const rows = await db
      .select({ deliveryId: webhookDeliveries.deliveryId, orgId: githubInstallations.orgId })
      .from(webhookDeliveries)
      .innerJoin(githubInstallations, eq(githubInstallations.id, webhookDeliveries.installationId))
      .where(inArray(webhookDeliveries.deliveryId, deliveryIds));
    for (const row of rows) owners.set(`deliveryId/${row.deliveryId}`, row.orgId);
  }
  return jobs.map(({ data }) => {
    const orgId = uuidField(data, "orgId");
    if (orgId !== undefined) return orgId;
    for (const name of [...(Object.keys(lookups) as (keyof typeof lookups)[]), "deliveryId"]) {
      const id = field(data, name);
      const owner = id === undefined ? undefined : owners.get(`${name}/${id}`);
      if (owner !== undefined) return owner;
    }
    return null;
  });
}

/** The organisation's failed jobs among the newest FAILED_JOBS_SCAN_LIMIT of the queue, newest first. */
async function listOrganizationFailedJobs(deps: QueueOperationsDeps, orgId: string, queue: QueueName) {
  const scanned = await deps.queue.listFailed(queue, { offset: 0, limit: FAILED_JOBS_SCAN_LIMIT });
  const owners = await resolveJobOrganizations(deps.db, scanned);
  return { jobs: scanned.filter((_, index) => owners[index] === orgId), scanLimitReached: scanned.length === FAILED_JOBS_SCAN_LIMIT };
}

const queueName = z.enum(QUEUE_NAMES, { message: `choose a queue: ${QUEUE_NAMES.join(", ")}` });

export const queuesPageQuery = z.object({
  queue: z.string().optional(),
  page: z.coerce
    .number({ message: "page must be a whole number from 1" })
    .int("page must be a whole number from 1")
    .min(1, "page must be a whole number from 1")
    .max(10_000, "page must be a whole number from 1")
    .default(1),
});

export interface FailedJobView {
  id: string;
  name: string;
  attemptsMade: number;
  attempts: number;
  failedReason: string;
  failedAt: string | null;
  enqueuedAt: string;
}

/** A repository of the organisation GitHub refused Sentinel (its jobs failed for good until that is fixed). */
export interface RepositoryAccessErrorView {
  repoId: string;
  fullName: string;
  reason: string;
  at: string | null;
}

/** Repositories listed with their access error; an organisation with more has a bigger problem than a list. */
const ACCESS_ERRORS_LISTED = 50;

async function listRepositoryAccessErrors(db: Executor, orgId: string): Promise<RepositoryAccessErrorView[]> {
  const rows = await db
    .select({ repoId: repositories.id, fullName: repositories.fullName, reason: repositories.accessError, at: repositories.accessErrorAt })
    .from(repositories)
    .where(and(eq(repositories.orgId, orgId), isNotNull(repositories.accessError), isNull(repositories.disabledAt)))
    .orderBy(desc(repositories.accessErrorAt), repositories.fullName)
    .limit(ACCESS_ERRORS_LISTED);
  return rows.map((row) => ({ repoId: row.repoId, fullName: row.fullName, reason: row.reason ?? "", at: row.at?.toISOString() ?? null }));
}

export type QueuesOverviewResult =
  | {
      ok: true;
      /** The organisation's repositories whose last GitHub fetch was refused, most recent first. */
      accessErrors: RepositoryAccessErrorView[];
      depth: { queue: QueueName; counts: QueueCounts }[];
      selected: QueueName;
      failed: FailedJobView[];
      /** The organisation's failed jobs in the selected queue (among those scanned). */
      failedTotal: number;
      page: number;
      pageCount: number;
      scanLimitReached: boolean;
    }
  | { ok: false; code: "INVALID_INPUT"; message: string }
  | { ok: false; code: "QUEUE_NOT_FOUND"; message: string };

function toView(job: FailedJob): FailedJobView {
  const reason = job.failedReason.length > FAILED_REASON_MAX_CHARS ? `${job.failedReason.slice(0, FAILED_REASON_MAX_CHARS)}…` : job.failedReason;
  return {
    id: job.id,
    name: job.name,
    attemptsMade: job.attemptsMade,
    attempts: job.attempts,
    failedReason: reason,
    failedAt: job.failedAt?.toISOString() ?? null,
    enqueuedAt: job.enqueuedAt.toISOString(),
  };
}

/**
 * Depth of every queue (all organisations together: numbers only, no job is identified) and one page of the
 * organisation's failed jobs in the selected queue (default: the first queue where it has failed jobs).
 */
export async function loadQueuesOverview(deps: QueueOperationsDeps, orgId: string, input: unknown): Promise<QueuesOverviewResult> {
  const parsed = queuesPageQuery.safeParse(input);
  if (!parsed.success) return { ok: false, code: "INVALID_INPUT", message: parsed.error.issues.map((issue) => issue.message).join("; ") };
  const requested = parsed.data.queue;
  if (requested !== undefined && !queueName.safeParse(requested).success) {
    return { ok: false, code: "QUEUE_NOT_FOUND", message: `There is no queue named "${requested.slice(0, 100)}"; the queues are ${QUEUE_NAMES.join(", ")}.` };
  }
  const [depth, accessErrors] = await Promise.all([
    Promise.all(QUEUE_NAMES.map(async (queue) => ({ queue, counts: await deps.queue.counts(queue) }))),
    listRepositoryAccessErrors(deps.db, orgId),
  ]);
  let selected = requested as QueueName | undefined;
  let listed: Awaited<ReturnType<typeof listOrganizationFailedJobs>> | undefined;
  if (selected === undefined) {
    for (const { queue, counts } of depth) {
      if (counts.failed === 0) continue;
      const candidate = await listOrganizationFailedJobs(deps, orgId, queue);
      if (candidate.jobs.length > 0) {
        selected = queue;
        listed = candidate;
        break;
      }
    }
  }
  selected ??= QUEUE_NAMES[0];
  listed ??= await listOrganizationFailedJobs(deps, orgId, selected);
  const pageCount = Math.max(1, Math.ceil(listed.jobs.length / FAILED_JOBS_PAGE_SIZE));
  // After the last job of the last page is retried or discarded, the same URL shows the new last page.
  const page = Math.min(parsed.data.page, pageCount);
  const start = (page - 1) * FAILED_JOBS_PAGE_SIZE;
  return {
    ok: true,
    accessErrors,
    depth,
    selected,
    failed: listed.jobs.slice(start, start + FAILED_JOBS_PAGE_SIZE).map(toView),
    failedTotal: listed.jobs.length,
    page,
    pageCount,
    scanLimitReached: listed.scanLimitReached,
  };
}

const jobId = z
  .string({ message: "choose a job" })
  .trim()
  .min(1, "choose a job")
  .max(200, "a job id is at most 200 characters")
  .refine((id) => !id.includes(":"), "a job id never contains ':'");

export const queueActionInput = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("retry"), queue: queueName, jobId }),
    z.object({ intent: z.literal("discard"), queue: queueName, jobId }),
    z.object({ intent: z.literal("retry-all"), queue: queueName }),
  ],
  { message: "choose retry, discard or retry all" },
);

export type QueueActionResult =
  | { ok: true; message: string }
  | { ok: false; code: "INVALID_INPUT"; fieldErrors: Record<string, string> }
  | { ok: false; code: "JOB_NOT_FOUND"; message: string };

/** Retry or discard one failed job of the organisation, or retry all of its failed jobs in a queue. */
export async function actOnFailedJobs(deps: QueueOperationsDeps, orgId: string, input: unknown): Promise<QueueActionResult> {
  const parsed = queueActionInput.safeParse(input);
  if (!parsed.success) return { ok: false, code: "INVALID_INPUT", fieldErrors: fieldErrorsOf(parsed.error, "intent") };
  const action = parsed.data;
  if (action.intent === "retry-all") {
    const { jobs } = await listOrganizationFailedJobs(deps, orgId, action.queue);
    let retried = 0;
    // One at a time: each retry is checked by the backend, so a job retried meanwhile by someone else is skipped.
    for (const job of jobs) if (await deps.queue.retryFailed(action.queue, job.id)) retried += 1;
    return { ok: true, message: retried === 0 ? `No failed ${action.queue} jobs to retry.` : `Queued ${retried} failed ${action.queue} ${retried === 1 ? "job" : "jobs"} again.` };
  }
  const notFound = {
    ok: false,
    code: "JOB_NOT_FOUND",
    message: `No failed job "${action.jobId}" in the ${action.queue} queue (it may have been retried or discarded already).`,
  } as const;
  const job = await deps.queue.getFailed(action.queue, action.jobId);
  // Another organisation's job answers exactly like a missing one.
  if (job === null || (await resolveJobOrganizations(deps.db, [job]))[0] !== orgId) return notFound;
  if (action.intent === "retry") {
    if (!(await deps.queue.retryFailed(action.queue, action.jobId))) return notFound;
    return { ok: true, message: `Queued ${job.name} ${job.id} again.` };
  }
  if (!(await deps.queue.discardFailed(action.queue, action.jobId))) return notFound;
  return { ok: true, message: `Discarded ${job.name} ${job.id}.` };
}
