import { z } from "zod";
import { getDoraFigures } from "../../application/metrics/dora.ts";
import type { Executor } from "../../infrastructure/db/client.ts";
import { rangeEndingAt, rangeResponse, rangeResponseFields, repositoryRef, repositoryRefSchema } from "../utils/range-days.ts";
import { listRepositoryOptions } from "./repositories.server.ts";


const count = (description: string) => z.number().int().min(0).describe(description);
const minutesOrNull = (description: string) => z.number().min(0).nullable().describe(description);
const rateOrNull = z.number().min(0).max(1).nullable().describe("failed ÷ deployments, a fraction 0–1 (0.12 means 12 %); null without deployments");

const deploymentGroupSchema = z.strictObject({
  deployments: count("Finished production deployments in this group"),
  failed: count("Of them, failed (GitHub said failure or error) or followed by an incident before the next production deployment"),
  rate: rateOrNull,
  incidents: count("Incidents that started after one of these deployments and before the repository's next production deployment"),
});

/** The answer of GET /api/v1/repos/{id}/dora and GET /api/v1/dora (docs/product.md, "Delivery (DORA)"). */
export const doraResponseSchema = z.strictObject({
  repository: repositoryRefSchema
    .nullable()
    .describe("The repository; null for the organisation's view, which adds up all its active repositories"),
  repositories: count("Active repositories the figures cover"),
  ...rangeResponseFields,
  deploymentFrequency: z.strictObject({
    deployments: count("Successful production deployments created in the range"),
    perWeek: z.number().min(0).describe("Successful production deployments per 7 days of the range"),
  }),
  leadTime: z
    .strictObject({
      medianMinutes: minutesOrNull(
        "Median minutes from a shipped commit's author date to its successful production deployment finishing: exact for one repository; for the organisation, read from a histogram of 10 %-wide buckets, within 10 % of the exact median",
      ),
      commits: count("Shipped commits the median is over"),
      deployments: count("Successful production deployments that shipped them"),
    })
    .describe("Lead time for changes"),
  changeFailureRate: z.strictObject({
    failed: count("Production deployments that failed, or that an incident followed before the next production deployment"),
    deployments: count("Finished production deployments created in the range"),
    rate: rateOrNull,
    failedByStatus: count("Deployments GitHub reported as failure or error"),
    failedByIncident: count("Successful deployments followed by an incident before the next production deployment"),
  }),
  timeToRestore: z.strictObject({
    medianMinutes: minutesOrNull("Median minutes from an incident's start to its resolution, over the resolved incidents that started in the range"),
    resolved: count("Resolved incidents that started in the range"),
    unresolved: count("Incidents that started in the range and are still open"),
  }),
  aiSplit: z
    .strictObject({
      comparable: z.boolean().describe("Both groups have at least minimumDeployments; otherwise too few deployments to compare"),
      minimumDeployments: count("Deployments each group needs before the two rates are compared"),
      aiHighRisk: deploymentGroupSchema.describe("Deployments that shipped a commit with an AI-written change (confidence ≥ 0.5) to a T3/T4 file"),
      other: deploymentGroupSchema.describe("Deployments that did not"),
    })
    .describe("Change failure of deployments that shipped AI-written T3/T4 code against those that did not"),
});
export type DoraResponse = z.infer<typeof doraResponseSchema>;

/** The figures of a range without the scope's name: what the repository page's card shows. */
export type DoraSummary = Omit<DoraResponse, "repository" | "repositories">;

/**
 * DORA figures of one repository of the organisation (`repoId`) or of all its active repositories together (null:
 * counts add up, medians pool), over the `days` before `now`. Another organisation's repository finds nothing.
 */
export async function getDoraSummary(db: Executor, orgId: string, repoId: string | null, options: { now: Date; days: number }): Promise<DoraSummary> {
  const range = rangeEndingAt(options.now, options.days);
  const figures = await getDoraFigures(db, { orgId, repoId }, range);
  return { ...rangeResponse(range, options.days), ...figures };
}

/** GET /api/v1/repos/{id}/dora: a repository already found in the organisation (`findRepository`; otherwise a 404). */
export async function getRepositoryDora(
  db: Executor,
  orgId: string,
  repository: { id: string; fullName: string },
  options: { now: Date; days: number },
): Promise<DoraResponse> {
  const summary = await getDoraSummary(db, orgId, repository.id, options);
  return { repository: repositoryRef(repository), repositories: 1, ...summary };
}

/** GET /api/v1/dora: the organisation's active repositories together. */
export async function getOrganizationDora(db: Executor, orgId: string, options: { now: Date; days: number }): Promise<DoraResponse> {
  const [repositories, summary] = await Promise.all([listRepositoryOptions(db, orgId), getDoraSummary(db, orgId, null, options)]);
  return { repository: null, repositories: repositories.length, ...summary };
}
