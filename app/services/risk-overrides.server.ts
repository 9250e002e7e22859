import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { fieldErrorsOf } from "../../domain/field-errors.ts";
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
  if (!parsed.success) return { ok: false, code: "INVALID_INPUT", fieldErrors: fieldErrorsOf(parsed.error, "form") };
  const { repoId, pattern, tier } = parsed.data;
  return changeOverrides(db, orgId, repoId, (current) => {
    const kept = withoutPattern(current, pattern);
    if (kept.length >= MAX_RISK_OVERRIDES) {
      return { ok: false, code: "INVALID_INPUT", fieldErrors: { pattern: `at most ${MAX_RISK_OVERRIDES} patterns per repository` } };
    }
    return [...kept, { pattern, tier: tier as RiskOverride["tier"] }];
  });
}

export async function removeRiskOverride(db: Executor, orgId: string, repoId: string, pattern: string): Promise<RiskOverrideResult> {
  if (!z.string().uuid().safeParse(repoId).success) return { ok: false, code: "REPO_NOT_FOUND" };
  return changeOverrides(db, orgId, repoId, (current) => withoutPattern(current, pattern));
}

const withoutPattern = (overrides: RiskOverride[], pattern: string) => overrides.filter((override) => override.pattern !== pattern);

type Refusal = Extract<RiskOverrideResult, { code: "INVALID_INPUT" }>;

/**
 * Reads the repository's patterns under a row lock, so two concurrent edits do not drop each other's pattern, and
 * saves what `change` makes of them; a refusal from `change` saves nothing.
 */
async function changeOverrides(
  db: Executor,
  orgId: string,
  repoId: string,
  change: (current: RiskOverride[]) => RiskOverride[] | Refusal,
): Promise<RiskOverrideResult> {
  return db.transaction(async (tx) => {
    const [repo] = await tx.execute<{ risk_overrides: RiskOverride[] }>(
      sql`select risk_overrides from repositories where id = ${repoId} and org_id = ${orgId} and disabled_at is null for update`,
    );
    if (!repo) return { ok: false as const, code: "REPO_NOT_FOUND" as const };
    const overrides = change(repo.risk_overrides);
    if (!Array.isArray(overrides)) return overrides;
    await tx.update(repositories).set({ riskOverrides: overrides, updatedAt: new Date() }).where(and(eq(repositories.id, repoId), eq(repositories.orgId, orgId)));
    return { ok: true as const, overrides };
  });
}
