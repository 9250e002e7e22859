import { z } from "zod";

/**
 * The shapes of the GitHub webhook payloads Sentinel reads, as zod schemas. Only the fields Sentinel reads are
 * validated; anything else in GitHub's payload is ignored (passthrough). The planners in webhook-plan.ts take the
 * parsed values.
 */

const user = z.object({ login: z.string(), id: z.number().int(), type: z.string().optional() }).passthrough();
export const repositorySchema = z
  .object({
    id: z.number().int(),
    full_name: z.string().min(3).includes("/"),
    default_branch: z.string().min(1).optional(),
    private: z.boolean().optional(),
  })
  .passthrough();
const installationRef = z.object({ id: z.number().int() }).passthrough();
const isoDate = z.string().refine((value) => !Number.isNaN(Date.parse(value)), "must be an ISO 8601 date");
const gitPerson = z.object({ name: z.string(), email: z.string(), username: z.string().optional() }).passthrough();

const pushCommit = z
  .object({
    id: z.string().regex(/^[0-9a-f]{7,64}$/i, "must be a commit sha"),
    distinct: z.boolean().default(true),
    message: z.string(),
    timestamp: isoDate,
    author: gitPerson,
    committer: gitPerson.optional(),
    added: z.array(z.string()).default([]),
    removed: z.array(z.string()).default([]),
    modified: z.array(z.string()).default([]),
  })
  .passthrough();

export const pushPayloadSchema = z
  .object({
    ref: z.string(),
    before: z.string(),
    after: z.string(),
    deleted: z.boolean().default(false),
    forced: z.boolean().default(false),
    commits: z.array(pushCommit).default([]),
    repository: repositorySchema,
    installation: installationRef.optional(),
    sender: user.optional(),
  })
  .passthrough();

export const pullRequestSchema = z
  .object({
    id: z.number().int(),
    number: z.number().int().positive(),
    title: z.string().default(""),
    body: z.string().nullish(),
    state: z.enum(["open", "closed"]),
    draft: z.boolean().default(false),
    merged: z.boolean().nullish(),
    user: user.nullish(),
    head: z.object({ ref: z.string(), sha: z.string() }).passthrough(),
    base: z.object({ ref: z.string() }).passthrough(),
    created_at: isoDate,
    updated_at: isoDate.nullish(),
    closed_at: isoDate.nullish(),
    merged_at: isoDate.nullish(),
    merge_commit_sha: z.string().nullish(),
  })
  .passthrough();

export const pullRequestPayloadSchema = z
  .object({
    action: z.string(),
    number: z.number().int().positive(),
    pull_request: pullRequestSchema,
    repository: repositorySchema,
    installation: installationRef.optional(),
    sender: user.optional(),
  })
  .passthrough();

export const reviewPayloadSchema = z
  .object({
    action: z.string(),
    review: z
      .object({
        id: z.number().int(),
        user: user.nullish(),
        state: z.string(),
        submitted_at: isoDate.nullish(),
      })
      .passthrough(),
    pull_request: pullRequestSchema,
    repository: repositorySchema,
    installation: installationRef.optional(),
  })
  .passthrough();

export const deploymentSchema = z
  .object({
    id: z.number().int(),
    sha: z.string(),
    ref: z.string().nullish(),
    environment: z.string(),
    production_environment: z.boolean().optional(),
    created_at: isoDate,
    creator: user.nullish(),
  })
  .passthrough();

export const deploymentPayloadSchema = z
  .object({
    action: z.string().default("created"),
    deployment: deploymentSchema,
    repository: repositorySchema,
    installation: installationRef.optional(),
  })
  .passthrough();

/** A deployment_status delivery carries the deployment too, as a deployment delivery does. */
export const deploymentStatusPayloadSchema = deploymentPayloadSchema.extend({
  deployment_status: z
    .object({ id: z.number().int(), state: z.string(), environment: z.string().optional(), created_at: isoDate })
    .passthrough(),
});

const installationAccount = z.object({ id: z.number().int(), login: z.string(), type: z.string().default("User") }).passthrough();
export const installationRepoSchema = z.object({ id: z.number().int(), full_name: z.string().includes("/"), private: z.boolean().optional() }).passthrough();

export const installationPayloadSchema = z
  .object({
    action: z.string(),
    installation: z
      .object({ id: z.number().int(), account: installationAccount, repository_selection: z.string().optional() })
      .passthrough(),
    repositories: z.array(installationRepoSchema).nullish(),
    sender: user.optional(),
  })
  .passthrough();

export const installationRepositoriesPayloadSchema = z
  .object({
    action: z.string(),
    installation: z.object({ id: z.number().int(), account: installationAccount }).passthrough(),
    repositories_added: z.array(installationRepoSchema).default([]),
    repositories_removed: z.array(installationRepoSchema).default([]),
    sender: user.optional(),
  })
  .passthrough();

export type GithubRepository = z.infer<typeof repositorySchema>;
export type GithubInstallationRepository = z.infer<typeof installationRepoSchema>;
export type GithubPullRequest = z.infer<typeof pullRequestSchema>;
export type GithubDeployment = z.infer<typeof deploymentSchema>;
export type PushPayload = z.infer<typeof pushPayloadSchema>;
export type PullRequestPayload = z.infer<typeof pullRequestPayloadSchema>;
export type ReviewPayload = z.infer<typeof reviewPayloadSchema>;
export type DeploymentPayload = z.infer<typeof deploymentPayloadSchema>;
export type DeploymentStatusPayload = z.infer<typeof deploymentStatusPayloadSchema>;
export type InstallationPayload = z.infer<typeof installationPayloadSchema>;
export type InstallationRepositoriesPayload = z.infer<typeof installationRepositoriesPayloadSchema>;

export class InvalidWebhookPayloadError extends Error {
  override name = "InvalidWebhookPayloadError";
  constructor(
    readonly event: string,
    readonly problems: string[],
  ) {
    super(`invalid ${event} payload: ${problems.join("; ")}`);
  }
}

/** Parses one event's payload, or throws InvalidWebhookPayloadError naming the first few problems. */
export function parseWebhookPayload<T extends z.ZodType>(event: string, schema: T, payload: unknown): z.infer<T> {
  const result = schema.safeParse(payload);
  if (!result.success) {
    throw new InvalidWebhookPayloadError(
      event,
      result.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".") || "payload"}: ${issue.message}`),
    );
  }
  return result.data;
}

