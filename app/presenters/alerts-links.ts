import { z } from "zod";
import type { AlertDetail } from "./alerts.server.ts";

/**
 * What triggered an alert, as links: the repository, and whatever its details name — the incident, the pull requests,
 * the deployment and its commits. Each has Sentinel's page when there is one and GitHub's when the repository comes
 * from GitHub (a demo or locally imported repository has no GitHub page to open).
 */
export interface AlertTrigger {
  kind: "repository" | "incident" | "pull-request" | "deployment" | "commit";
  label: string;
  /** Sentinel's page, or null when Sentinel has none (a commit it has not analysed, a deployment). */
  to: string | null;
  github: string | null;
}

const incidentRef = z.object({ incidentId: z.string().uuid(), incidentTitle: z.string().catch("Incident") });
const pullRequestRefs = z.array(z.object({ number: z.number().int().positive(), title: z.string().catch("") })).catch([]);
const deploymentRef = z.object({ sha: z.string().regex(/^[0-9a-f]{7,40}$/i), previousSha: z.string().regex(/^[0-9a-f]{7,40}$/i).nullable().catch(null), environment: z.string().catch("an environment") });

const short = (sha: string) => sha.slice(0, 7);

export function alertTriggers(alert: Pick<AlertDetail, "repoId" | "repoFullName" | "repoSource" | "details" | "commits">): AlertTrigger[] {
  const triggers: AlertTrigger[] = [];
  const repoId = alert.repoId;
  const github = alert.repoSource === "github" && alert.repoFullName ? `https://github.com/${alert.repoFullName.split("/").map(encodeURIComponent).join("/")}` : null;
  if (repoId && alert.repoFullName) triggers.push({ kind: "repository", label: alert.repoFullName, to: `/repos/${repoId}`, github });

  const incident = incidentRef.safeParse(alert.details);
  if (incident.success) triggers.push({ kind: "incident", label: incident.data.incidentTitle, to: `/incidents/${incident.data.incidentId}`, github: null });

  for (const pr of pullRequestRefs.parse(alert.details.pullRequests)) {
    triggers.push({
      kind: "pull-request",
      label: pr.title ? `#${pr.number} ${pr.title}` : `#${pr.number}`,
      to: repoId ? `/repos/${repoId}/pulls/${pr.number}` : null,
      github: github ? `${github}/pull/${pr.number}` : null,
    });
  }

  const deployment = deploymentRef.safeParse(alert.details);
  if (deployment.success) {
    const { sha, previousSha, environment } = deployment.data;
    triggers.push({
      kind: "deployment",
      label: previousSha ? `Deployment to ${environment}: ${short(previousSha)}…${short(sha)}` : `Deployment to ${environment}: ${short(sha)}`,
      to: null,
      github: github ? (previousSha ? `${github}/compare/${previousSha}...${sha}` : `${github}/commit/${sha}`) : null,
    });
  }

  for (const commit of alert.commits) {
    triggers.push({
      kind: "commit",
      label: `Commit ${short(commit.sha)}`,
      to: commit.eventId === null ? null : `/events/${commit.eventId}`,
      github: github ? `${github}/commit/${commit.sha}` : null,
    });
  }
  return triggers;
}
