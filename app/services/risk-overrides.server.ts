import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { riskPatternProblem } from "../../domain/risk/index.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { repositories, type RiskOverride } from "../../infrastructure/db/schema/index.ts";

export const MAX_RISK_OVERRIDES = 50;

export const riskOverrideInput = z.object({
  repoId: z.string().uuid("choose a repository"),
  pattern: z
    .string()
    .trim()
    .min(1, "enter a path pattern such as src/billing/** or *.sql")
    .refine((value) => !value.startsWith("/"), "patterns are relative to the repository root: drop the leading /")
    // The analysis worker, shared by every organisation, runs the pattern: only ones it can match in bounded time are kept.
    .superRefine((value, context) => {
      const problem = riskPatternProblem(value);
      if (problem) context.addIssue({ code: "custom", message: problem });
    }),
  tier: z.coerce.number().int().min(1, "choose a tier from T1 to T4").max(4, "choose a tier from T1 to T4"),
});

export type RiskOverrideResult =
  | { ok: true; overrides: RiskOverride[] }
  | { ok: false; code: "INVALID_INPUT"; fieldErrors: Record<string, string> }
  | { ok: false; code: "REPO_NOT_FOUND" };

/** The organisation's repositories and their patterns; one saved before today's limits carries why analysis skips it. */
export async function listRiskOverrides(db: Executor, orgId: string) {
  const rows = await db
    .select({ id: repositories.id, fullName: repositories.fullName, riskOverrides: repositories.riskOverrides })
    .from(repositories)
    .where(and(eq(repositories.orgId, orgId), isNull(repositories.disabledAt)))
    .orderBy(asc(repositories.fullName));
  return rows.map((row) => ({
    ...row,
    riskOverrides: row.riskOverrides.map((override): RiskOverride & { problem?: string } => {
      const problem = riskPatternProblem(override.pattern);
      return problem ? { ...override, problem } : override;
    }),
  }));
}

/** Adds (or re-tiers) a path pattern of the organisation's repository; later analyses use it. */
export async function addRiskOverride(db: Executor, orgId: string, input: unknown): Promise<RiskOverrideResult> {
  const parsed = riskOverrideInput.safeParse(input);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0] ?? "form")] ??= issue.message;
    return { ok: false, code: "INVALID_INPUT", fieldErrors };
  }
  const { repoId, pattern, tier } = parsed.data;
  return db.transaction(async (tx) => {
    const [repo] = await tx.execute<{ risk_overrides: RiskOverride[] }>(
      sql`select risk_overrides from repositories where id = ${repoId} and org_id = ${orgId} and disabled_at is null for update`,
    );
    if (!repo) return { ok: false as const, code: "REPO_NOT_FOUND" as const };
    const kept = repo.risk_overrides.filter((override) => override.pattern !== pattern);
    if (kept.length >= MAX_RISK_OVERRIDES) {
      return { ok: false as const, code: "INVALID_INPUT" as const, fieldErrors: { pattern: `at most ${MAX_RISK_OVERRIDES} patterns per repository` } };
    }
    const overrides = [...kept, { pattern, tier: tier as RiskOverride["tier"] }];
    await tx.update(repositories).set({ riskOverrides: overrides, updatedAt: new Date() }).where(and(eq(repositories.id, repoId), eq(repositories.orgId, orgId)));
    return { ok: true as const, overrides };
  });
}

export async function removeRiskOverride(db: Executor, orgId: string, repoId: string, pattern: string): Promise<RiskOverrideResult> {
  if (!z.string().uuid().safeParse(repoId).success) return { ok: false, code: "REPO_NOT_FOUND" };
  return db.transaction(async (tx) => {
    const [repo] = await tx.execute<{ risk_overrides: RiskOverride[] }>(
      sql`select risk_overrides from repositories where id = ${repoId} and org_id = ${orgId} and disabled_at is null for update`,
    );
    if (!repo) return { ok: false as const, code: "REPO_NOT_FOUND" as const };
    const overrides = repo.risk_overrides.filter((override) => override.pattern !== pattern);
    await tx.update(repositories).set({ riskOverrides: overrides, updatedAt: new Date() }).where(and(eq(repositories.id, repoId), eq(repositories.orgId, orgId)));
    return { ok: true as const, overrides };
  });
}
