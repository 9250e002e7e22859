/**
 * Deterministic demo activity for a new Sentinel install: GitHub-shaped webhook deliveries and commit
 * responses for a fictional organisation, replayed through the normal ingestion path when seeding.
 */
export { generateDemoDataset } from "./generate.ts";
export { mulberry32, Random } from "./random.ts";
export type {
  AiTool,
  DemoAccount,
  DemoCommitTruth,
  DemoDataset,
  DemoDelivery,
  DemoEventName,
  DemoIncident,
  DemoMember,
  DeploymentEnvironment,
  DeploymentPayload,
  DeploymentStatusPayload,
  GenerateDemoDatasetInput,
  GitHubCommitFile,
  GitHubCommitResponse,
  GitHubDeployment,
  GitHubPullRequest,
  GitHubPushCommit,
  GitHubRepository,
  GitHubUser,
  GitPerson,
  GitPersonWithUsername,
  InstallationRef,
  PullRequestAction,
  PullRequestPayload,
  PullRequestReviewPayload,
  PushPayload,
  ReviewState,
  Severity,
} from "./types.ts";
