/**
 * Simulates ~90 days of work in three repositories and records it the way GitHub would report it:
 * webhook deliveries plus "get a commit" responses. State (file contents, branches, locks, PRs,
 * deployments) evolves in time order, so every patch applies to its parent and every reference exists.
 */
import { DAY_MS } from "./time.ts";
import type { DemoDataset, GenerateDemoDatasetInput } from "./types.ts";
import { Simulation } from "./simulation.ts";
import { directCommit, planWork, workSession } from "./pushes.ts";
import { mergeLocally, openPullRequest, prPayload, readyForReview } from "./pull-requests.ts";
import { maybeIncident } from "./incidents.ts";
import { planDeployments, scheduleDeployment } from "./deployments.ts";

/** Runs the simulation: plans everyone's work and the deploy calendar, then plays the agenda in time order. */
export function generateDemoDataset(input: GenerateDemoDatasetInput): DemoDataset {
  const days = input.days ?? 90;
  const end = input.now.getTime();
  const start = end - days * DAY_MS;
  const sim = new Simulation(input.seed, start, end, { workSession, directCommit, openPullRequest, readyForReview, mergeLocally, prPayload, scheduleDeployment, maybeIncident });
  planWork(sim);
  planDeployments(sim);
  sim.run();
  return sim.result(input.seed, days);
}
