/** Incidents after production deploys that shipped AI-assisted changes to critical code, resolved by hotfix or rollback. */
import { userOf, type MemberProfile } from "./cast.ts";
import { DAY_MS, isoUtc, MINUTE_MS } from "./time.ts";
import type { DemoIncident, GitHubDeployment, Severity } from "./types.ts";
import { type Simulation, areaOfPath, type RepoSim } from "./simulation.ts";

const INCIDENT_TITLES: Record<string, readonly string[]> = {
  payments: ["Refunds issued twice after provider timeouts", "Card captures failing with 500 at checkout", "Payout amounts rounded to whole euros"],
  auth: ["Sessions expiring immediately after login", "API keys rejected for EU tenants", "Password reset links invalid on first use"],
  crypto: ["Settlement partner rejecting ledger signatures", "Envelope decryption failing for rotated keys"],
};

function criticalScope(sim: Simulation, repo: RepoSim, sha: string): string | null {
  const record = sim.commits.get(sha);
  if (!record) return null;
  for (const file of record.response.files) {
    const area = areaOfPath(repo.def, file.filename);
    if (area?.critical) return area.dir.split("/").pop() ?? null;
  }
  return null;
}

export function maybeIncident(sim: Simulation, repo: RepoSim, deployment: GitHubDeployment, doneAt: number, fromCount: number, toCount: number): void {
  // Needs an earlier good production deploy to roll back to, and time to resolve before `now`.
  if (fromCount === 0 || doneAt > sim.end - 2 * DAY_MS || doneAt - repo.lastIncidentAt < 21 * DAY_MS) return;
  const suspects = repo.landed.slice(fromCount, toCount).filter((sha) => {
    const t = sim.truth[sha];
    return t !== undefined && t.aiAssisted && !t.merge && criticalScope(sim, repo, sha) !== null;
  });
  if (suspects.length === 0) return;
  // Guarantee the demo has its story: once past mid-window with no incident yet, the next candidate becomes one.
  const forced = sim.incidents.length === 0 && sim.progress(doneAt) > 0.5;
  if (!forced && !sim.r.chance(0.14)) return;
  const scope = criticalScope(sim, repo, suspects[0] as string) ?? "payments";
  const severity: Severity = scope === "payments" ? sim.r.pick(["sev1", "sev2"] as const) : scope === "auth" ? "sev2" : sim.r.pick(["sev2", "sev3"] as const);
  const startedAt = doneAt + sim.r.int(15, 110) * MINUTE_MS;
  repo.lastIncidentAt = doneAt;
  const incident: DemoIncident = {
    id: `INC-${1000 + sim.incidents.length * 7 + sim.r.int(1, 6)}`,
    repoFullName: repo.payload.full_name,
    title: sim.r.pick(INCIDENT_TITLES[scope] ?? INCIDENT_TITLES.payments ?? ["Production errors after deploy"]),
    severity,
    startedAt: isoUtc(startedAt),
    resolvedAt: "",
    deploymentId: deployment.id,
    // The newest few AI changes to the critical path: what an on-call engineer would look at first.
    suspectedCommitShas: suspects.slice(-4),
    resolution: "hotfix",
  };
  sim.incidents.push(incident);
  const onCall = sim.r.pick(repo.members);
  const suspectFiles = incident.suspectedCommitShas.flatMap((sha) => sim.commits.get(sha)?.response.files.map((f) => f.filename) ?? []).filter((p) => areaOfPath(repo.def, p)?.critical && !repo.locks.has(p) && repo.main.has(p));
  const fixAt = startedAt + sim.r.int(25, 80) * MINUTE_MS;
  const resolve = (_d: GitHubDeployment, at: number) => {
    incident.resolvedAt = isoUtc(at + sim.r.int(5, 20) * MINUTE_MS);
  };
  if (suspectFiles.length > 0) {
    const path = sim.r.pick(suspectFiles);
    sim.schedule(fixAt, () => {
      const message = `fix(${scope}): ${incident.title.charAt(0).toLowerCase()}${incident.title.slice(1)} (${incident.id})`;
      const fix = repo.locks.has(path) ? null : sim.activities.directCommit(sim, onCall, repo, fixAt, "hotfix", path, message);
      if (fix) sim.activities.scheduleDeployment(sim, repo, fixAt + sim.r.int(8, 20) * MINUTE_MS, "production", userOf(onCall.member), undefined, 2, resolve);
      else rollback(sim, repo, fixAt, onCall, incident, fromCount, resolve);
    });
  } else {
    sim.schedule(fixAt, () => rollback(sim, repo, fixAt, onCall, incident, fromCount, resolve));
  }
}

export function rollback(sim: Simulation, repo: RepoSim, at: number, onCall: MemberProfile, incident: DemoIncident, goodCount: number, resolve: (d: GitHubDeployment, at: number) => void): void {
  incident.resolution = "rollback";
  const good = repo.landed[goodCount - 1] ?? repo.prodSha;
  repo.prodDeployedCount = goodCount;
  sim.activities.scheduleDeployment(sim, repo, at, "production", userOf(onCall.member), good, 2, resolve);
}
