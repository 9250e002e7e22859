import { describe, expect, it } from "vitest";
import { computeDora, incidentsByDeployment, MIN_DEPLOYMENTS_TO_COMPARE, type IncidentSpan, type ProductionDeployment } from "./dora.ts";

const FROM = new Date("2026-03-01T00:00:00Z");
const range = { from: FROM, to: new Date("2026-03-29T00:00:00Z") }; // four weeks
const at = (day: number, hour = 12) => new Date(FROM.getTime() + (day * 24 + hour) * 3_600_000);
const hoursBefore = (date: Date, hours: number) => new Date(date.getTime() - hours * 3_600_000);

let ids = 0;
function deployment(day: number, o: Partial<ProductionDeployment> = {}): ProductionDeployment {
  const createdAt = at(day);
  return {
    id: `d${(ids += 1)}`,
    repoId: "repo-a",
    status: "success",
    createdAt,
    finishedAt: new Date(createdAt.getTime() + 10 * 60_000),
    shippedCommitsAuthoredAt: [hoursBefore(createdAt, 4)],
    shippedAiHighRisk: false,
    ...o,
  };
}
const incident = (startedAt: Date, resolvedAt: Date | null, repoId = "repo-a"): IncidentSpan => ({ id: `i${(ids += 1)}`, repoId, startedAt, resolvedAt });

describe("DORA figures", () => {
  it("reports nothing, not zeros pretending to be rates, without deployments or incidents", () => {
    expect(computeDora({ range, deployments: [], incidents: [] })).toEqual({
      deploymentFrequency: { deployments: 0, perWeek: 0 },
      leadTime: { medianMinutes: null, commits: 0, deployments: 0 },
      changeFailureRate: { failed: 0, deployments: 0, rate: null, failedByStatus: 0, failedByIncident: 0 },
      timeToRestore: { medianMinutes: null, resolved: 0, unresolved: 0 },
      aiSplit: {
        comparable: false,
        minimumDeployments: MIN_DEPLOYMENTS_TO_COMPARE,
        aiHighRisk: { deployments: 0, failed: 0, rate: null, incidents: 0 },
        other: { deployments: 0, failed: 0, rate: null, incidents: 0 },
      },
    });
  });

  it("counts successful production deployments created in the range, per week", () => {
    const figures = computeDora({
      range,
      deployments: [deployment(-1), deployment(0), deployment(7), deployment(14, { status: "inactive" }), deployment(27), deployment(28), deployment(20, { status: "failure" })],
      incidents: [],
    });
    // Day -1 and day 28 (the range's end, exclusive) are outside; the failure is not a deployment that shipped.
    expect(figures.deploymentFrequency).toEqual({ deployments: 4, perWeek: 1 });
  });

  it("measures lead time from each shipped commit's authoring to the deployment finishing, its creation when it never said", () => {
    const first = deployment(1, { shippedCommitsAuthoredAt: [hoursBefore(at(1), 2), hoursBefore(at(1), 30)] }); // 2 h 10 min, 30 h 10 min
    const second = deployment(2, { finishedAt: null, shippedCommitsAuthoredAt: [hoursBefore(at(2), 5)] }); // 5 h
    const empty = deployment(3, { shippedCommitsAuthoredAt: [] }); // a redeploy that shipped nothing new
    const failed = deployment(4, { status: "error", shippedCommitsAuthoredAt: [hoursBefore(at(4), 1)] });
    expect(computeDora({ range, deployments: [first, second, empty, failed], incidents: [] }).leadTime).toEqual({
      medianMinutes: 5 * 60,
      commits: 3,
      deployments: 2,
    });
  });

  it("counts a failed deployment and the fix after it: one failure in two", () => {
    const figures = computeDora({ range, deployments: [deployment(3, { status: "failure" }), deployment(3.02)], incidents: [] });
    expect(figures.changeFailureRate).toEqual({ failed: 1, deployments: 2, rate: 0.5, failedByStatus: 1, failedByIncident: 0 });
  });

  it("fails a successful deployment that an incident followed before the next deployment, once however many incidents", () => {
    const bad = deployment(5);
    const next = deployment(8);
    const incidents = [incident(at(5, 14), at(5, 16)), incident(at(6), at(6, 13)), incident(at(9), null)];
    const figures = computeDora({ range, deployments: [bad, next, deployment(12)], incidents });
    expect(figures.changeFailureRate).toEqual({ failed: 2, deployments: 3, rate: 2 / 3, failedByStatus: 0, failedByIncident: 2 });
    expect([...incidentsByDeployment([bad, next], incidents).entries()].map(([id, list]) => [id, list.length])).toEqual([
      [bad.id, 2],
      [next.id, 1],
    ]);
  });

  it("matches incidents to deployments of their own repository only, and none before the range's first deployment", () => {
    const a = deployment(5, { repoId: "repo-a" });
    const b = deployment(10, { repoId: "repo-b" });
    const incidents = [incident(at(11), at(12)), incident(at(2), at(3), "repo-b")];
    const attributed = incidentsByDeployment([a, b], incidents);
    expect(attributed.get(a.id)?.length).toBe(1);
    expect(attributed.has(b.id)).toBe(false);
  });

  it("takes the median time to restore over resolved incidents and counts the open ones apart", () => {
    const incidents = [incident(at(1), at(1, 13)), incident(at(2), at(2, 15)), incident(at(3), at(3, 12.5)), incident(at(4), null), incident(at(-2), at(-1))];
    expect(computeDora({ range, deployments: [], incidents }).timeToRestore).toEqual({ medianMinutes: 60, resolved: 3, unresolved: 1 });
  });

  it("splits change failure by whether the deployment shipped AI-written T3/T4 code, with the counts behind each rate", () => {
    const ai = [0, 1, 2, 3, 4, 5].map((day) => deployment(day, { shippedAiHighRisk: true, status: day < 2 ? "failure" : "success" }));
    const other = [10, 11, 12, 13, 14].map((day) => deployment(day));
    const incidents = [incident(at(5, 13), at(5, 14)), incident(at(14, 13), null)];
    const { aiSplit } = computeDora({ range, deployments: [...ai, ...other], incidents });
    expect(aiSplit).toEqual({
      comparable: true,
      minimumDeployments: MIN_DEPLOYMENTS_TO_COMPARE,
      aiHighRisk: { deployments: 6, failed: 3, rate: 0.5, incidents: 1 },
      other: { deployments: 5, failed: 1, rate: 0.2, incidents: 1 },
    });
  });

  it("does not compare when every deployment shipped AI-written T3/T4 code, or none did", () => {
    const days = [0, 1, 2, 3, 4, 5, 6];
    const allAi = computeDora({ range, deployments: days.map((day) => deployment(day, { shippedAiHighRisk: true })), incidents: [] }).aiSplit;
    expect(allAi.comparable).toBe(false);
    expect(allAi.aiHighRisk).toEqual({ deployments: 7, failed: 0, rate: 0, incidents: 0 });
    expect(allAi.other).toEqual({ deployments: 0, failed: 0, rate: null, incidents: 0 });
    const noAi = computeDora({ range, deployments: days.map((day) => deployment(day)), incidents: [] }).aiSplit;
    expect(noAi.comparable).toBe(false);
    expect(noAi.aiHighRisk.deployments).toBe(0);
  });

  it("needs the minimum on both sides: one deployment short is not comparable", () => {
    const ai = Array.from({ length: MIN_DEPLOYMENTS_TO_COMPARE - 1 }, (_, day) => deployment(day, { shippedAiHighRisk: true }));
    const other = Array.from({ length: MIN_DEPLOYMENTS_TO_COMPARE }, (_, day) => deployment(day + 10));
    expect(computeDora({ range, deployments: [...ai, ...other], incidents: [] }).aiSplit.comparable).toBe(false);
    const enough = [...ai, deployment(9, { shippedAiHighRisk: true }), ...other];
    expect(computeDora({ range, deployments: enough, incidents: [] }).aiSplit.comparable).toBe(true);
  });
});
