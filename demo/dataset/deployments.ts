/** Production deploys a few times a week, staging deploys after merges, failures retried. */
import { ACTIONS_BOT, userOf } from "./cast.ts";
import { DAY_MS, isoUtc, localMidnight, MINUTE_MS } from "./time.ts";
import type { GitHubDeployment, GitHubUser } from "./types.ts";
import { type Simulation, type RepoSim } from "./simulation.ts";

export function planDeployments(sim: Simulation): void {
  for (const repo of sim.repos) {
    const firstMonday = localMidnight(sim.start, 0) - ((new Date(sim.start).getUTCDay() + 6) % 7) * DAY_MS;
    for (let week = firstMonday; week < sim.end; week += 7 * DAY_MS) {
      const days = sim.r.shuffle([0, 1, 2, 3, 4]).slice(0, sim.r.int(2, 4));
      for (const d of days) {
        const at = week + d * DAY_MS + sim.r.int(13 * 60, 17 * 60 + 30) * MINUTE_MS;
        const deployer = sim.r.pick(repo.members);
        sim.schedule(at, () => {
          if (repo.landed.length === repo.prodDeployedCount) return;
          scheduleDeployment(sim, repo, at, "production", userOf(deployer.member));
        });
      }
    }
  }
}

export function scheduleDeployment(sim: Simulation, repo: RepoSim, at: number, environment: "production" | "staging", creator: GitHubUser, sha?: string, attempt = 1, onSuccess?: (deployment: GitHubDeployment, doneAt: number) => void): void {
  sim.schedule(at, () => {
    const deployedSha = sha ?? repo.head;
    const landedCount = sha ? repo.prodDeployedCount : repo.landed.length;
    const deployment: GitHubDeployment = {
      id: sim.deploymentId++,
      sha: deployedSha,
      ref: "main",
      task: "deploy",
      environment,
      original_environment: environment,
      production_environment: environment === "production",
      transient_environment: false,
      description: sha ? "Rollback" : null,
      creator,
      created_at: isoUtc(at),
      updated_at: isoUtc(at),
    };
    sim.emit(at, "deployment", { action: "created", deployment, ...sim.common(repo, creator) });
    const doneAt = at + sim.r.int(4, 14) * MINUTE_MS;
    const failed = attempt === 1 && !sha && sim.r.chance(0.07);
    sim.schedule(doneAt, () => {
      sim.emit(doneAt, "deployment_status", {
        action: "created",
        deployment_status: {
          id: sim.statusId++,
          state: failed ? "failure" : "success",
          environment,
          description: failed ? "Deployment failed: health check did not pass" : "Deployment finished successfully.",
          target_url: `${repo.payload.html_url}/actions/runs/${sim.ids.int(10_000_000_000, 19_999_999_999)}`,
          creator: ACTIONS_BOT,
          created_at: isoUtc(doneAt),
          updated_at: isoUtc(doneAt),
        },
        deployment,
        ...sim.common(repo, ACTIONS_BOT),
      });
      if (failed) {
        scheduleDeployment(sim, repo, doneAt + sim.r.int(20, 50) * MINUTE_MS, environment, creator, deployedSha, attempt + 1);
        return;
      }
      if (environment !== "production") return;
      const previousCount = repo.prodDeployedCount;
      if (!sha) {
        repo.prodDeployedCount = landedCount;
        repo.prodSha = deployedSha;
      }
      onSuccess?.(deployment, doneAt);
      if (!sha && !onSuccess) sim.activities.maybeIncident(sim, repo, deployment, doneAt, previousCount, landedCount);
    });
  });
}
