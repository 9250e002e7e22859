import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { JobQueue } from "../../domain/ports.ts";
import { requestIncidentAlertEvaluation } from "../alerts/enqueue.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { commits, incidentCommits, incidents, repositories } from "../../infrastructure/db/schema/index.ts";
import { fieldErrorsOf } from "../../domain/field-errors.ts";

export const createIncidentInput = z
  .object({
    repoId: z.string().uuid("choose a repository"),
    title: z.string().trim().min(3, "give the incident a title of at least 3 characters").max(200),
    description: z.string().trim().max(10_000).optional(),
    severity: z.enum(["sev1", "sev2", "sev3", "sev4"], { message: "choose a severity from sev1 to sev4" }),
    startedAt: z.coerce.date({ message: "enter when the incident started" }),
    resolvedAt: z.coerce.date().optional(),
    source: z.enum(["manual", "api", "pagerduty", "demo"]).default("manual"),
    suspectedCommitShas: z
      .array(z.string().trim().toLowerCase().regex(/^[0-9a-f]{7,40}$/, "commit shas are 7 to 40 hex characters"))
      .max(50, "link at most 50 commits")
      .default([]),
  })
  .refine((value) => !value.resolvedAt || value.resolvedAt >= value.startedAt, {
    path: ["resolvedAt"],
    message: "an incident cannot be resolved before it started",
  });

export type CreateIncidentInput = z.input<typeof createIncidentInput>;

export type CreateIncidentResult =
  /** `alertEvaluationQueued`: the incident_ai_attributed rule was queued (false: no queue given, or it was unreachable). */
  | { ok: true; incidentId: string; alertEvaluationQueued: boolean }
  | { ok: false; code: "INVALID_INPUT"; fieldErrors: Record<string, string> }
  | { ok: false; code: "REPO_NOT_FOUND" };

/**
 * Logs an incident with its suspected commits. The repository must belong to the caller's organisation and
 * every suspect must be a commit Sentinel recorded in that repository (short shas are resolved); the incident
 * and its links are written in one transaction, so a bad suspect leaves nothing behind.
 */
export async function createIncident(
  db: Executor,
  orgId: string,
  input: unknown,
  createdBy: string | null,
  options: { queue?: JobQueue } = {},
): Promise<CreateIncidentResult> {
  const parsed = createIncidentInput.safeParse(input);
  if (!parsed.success) return { ok: false, code: "INVALID_INPUT", fieldErrors: fieldErrorsOf(parsed.error, "form") };
  const value = parsed.data;
  const result = await db.transaction(async (tx) => {
    const [repo] = await tx
      .select({ id: repositories.id })
      .from(repositories)
      .where(and(eq(repositories.id, value.repoId), eq(repositories.orgId, orgId), isNull(repositories.disabledAt)));
    if (!repo) return { ok: false as const, code: "REPO_NOT_FOUND" as const };

    const resolved: string[] = [];
    if (value.suspectedCommitShas.length > 0) {
      const candidates = await tx
        .select({ sha: commits.sha })
        .from(commits)
        .where(and(eq(commits.orgId, orgId), eq(commits.repoId, repo.id), inArray(commits.sha, value.suspectedCommitShas.filter((sha) => sha.length === 40))));
      const full = new Set(candidates.map((row) => row.sha));
      for (const sha of value.suspectedCommitShas) {
        if (full.has(sha)) {
          resolved.push(sha);
          continue;
        }
        const matches = await tx.execute<{ sha: string }>(
          // Short shas: prefix match within this repository only.
          sqlPrefixMatch(orgId, repo.id, sha),
        );
        if (matches.length !== 1) {
          return {
            ok: false as const,
            code: "INVALID_INPUT" as const,
            fieldErrors: {
              suspectedCommitShas:
                matches.length === 0 ? `commit ${sha} is not recorded in this repository` : `commit ${sha} is ambiguous: use more characters`,
            },
          };
        }
        resolved.push(matches[0]!.sha);
      }
    }

    const [incident] = await tx
      .insert(incidents)
      .values({
        orgId,
        repoId: repo.id,
        title: value.title,
        description: value.description ?? null,
        severity: value.severity,
        startedAt: value.startedAt,
        resolvedAt: value.resolvedAt ?? null,
        source: value.source,
        createdBy,
      })
      .returning({ id: incidents.id });
    const unique = [...new Set(resolved)];
    if (unique.length > 0) {
      await tx.insert(incidentCommits).values(unique.map((sha) => ({ incidentId: incident!.id, repoId: repo.id, commitSha: sha })));
    }
    return { ok: true as const, incidentId: incident!.id, alertEvaluationQueued: false };
  });
  // After the commit: the alert rule reads the incident and its suspects (issue 6).
  if (result.ok && options.queue) result.alertEvaluationQueued = await requestIncidentAlertEvaluation(options.queue, result.incidentId);
  return result;
}

function sqlPrefixMatch(orgId: string, repoId: string, prefix: string) {
  return sql`select sha from commits where org_id = ${orgId} and repo_id = ${repoId} and sha like ${`${prefix}%`} limit 2`;
}
