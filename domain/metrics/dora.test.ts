import { describe, expect, it } from "vitest";
import { doraFromTotals, MIN_DEPLOYMENTS_TO_COMPARE, type DeploymentCounts, type DoraTotals, type MatchedIncident } from "./dora.ts";

// Which deployment an incident followed, and the lead times, are worked out in SQL: application/metrics/dora.test.ts.
const FROM = new Date("2026-03-01T00:00:00Z");
const range = { from: FROM, to: new Date("2026-03-29T00:00:00Z") }; // four weeks
const at = (day: number, hour = 12) => new Date(FROM.getTime() + (day * 24 + hour) * 3_600_000);

const none: DeploymentCounts = { deployments: 0, successful: 0 };
const noLeadTime = { medianMinutes: null, commits: 0, deployments: 0 };
const totals = (o: Partial<DoraTotals> = {}): DoraTotals => ({ range, aiHighRisk: none, other: none, leadTime: noLeadTime, incidents: [], ...o });

let ids = 0;
/** An incident, and the deployment it followed (none: its deployment is outside the range). */
const incident = (startedAt: Date, resolvedAt: Date | null, deployment: MatchedIncident["deployment"] = null): MatchedIncident => ({
  id: `i${(ids += 1)}`,
  repoId: "repo-a",
  startedAt,
  resolvedAt,
  deployment,
});
const successful = (id: string, aiHighRisk = false) => ({ id, successful: true, aiHighRisk });
const failed = (id: string, aiHighRisk = false) => ({ id, successful: false, aiHighRisk });

describe("DORA figures", () => {
  it("reports nothing, not zeros pretending to be rates, without deployments or incidents", () => {
    expect(doraFromTotals(totals())).toEqual({
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

  it("counts the successful deployments on both sides of the AI split, per week, and reports the lead times as counted", () => {
    const leadTime = { medianMinutes: 300, commits: 3, deployments: 2 };
    const figures = doraFromTotals(totals({ aiHighRisk: { deployments: 2, successful: 1 }, other: { deployments: 3, successful: 3 }, leadTime }));
    // The failure is not a deployment that shipped.
    expect(figures.deploymentFrequency).toEqual({ deployments: 4, perWeek: 1 });
    expect(figures.leadTime).toEqual(leadTime);
  });

  it("counts a failed deployment and the fix after it: one failure in two", () => {
    const figures = doraFromTotals(totals({ other: { deployments: 2, successful: 1 } }));
    expect(figures.changeFailureRate).toEqual({ failed: 1, deployments: 2, rate: 0.5, failedByStatus: 1, failedByIncident: 0 });
  });

  it("fails a successful deployment that incidents followed once however many incidents, and a failed one only once", () => {
    const incidents = [
      incident(at(5, 14), at(5, 16), successful("bad")),
      incident(at(6), at(6, 13), successful("bad")),
      incident(at(9), null, successful("next")),
      incident(at(10), null, failed("broken")),
    ];
    const figures = doraFromTotals(totals({ other: { deployments: 4, successful: 3 }, incidents }));
    expect(figures.changeFailureRate).toEqual({ failed: 3, deployments: 4, rate: 0.75, failedByStatus: 1, failedByIncident: 2 });
  });

  it("fails nothing for an incident whose deployment is outside the range, but counts its time to restore", () => {
    const figures = doraFromTotals(totals({ other: { deployments: 1, successful: 1 }, incidents: [incident(at(0, 1), at(0, 2))] }));
    expect(figures.changeFailureRate).toMatchObject({ failed: 0, rate: 0 });
    expect(figures.aiSplit.other.incidents).toBe(0);
    expect(figures.timeToRestore).toEqual({ medianMinutes: 60, resolved: 1, unresolved: 0 });
  });

  it("takes the median time to restore over resolved incidents and counts the open ones apart", () => {
    const incidents = [incident(at(1), at(1, 13)), incident(at(2), at(2, 15)), incident(at(3), at(3, 12.5)), incident(at(4), null)];
    expect(doraFromTotals(totals({ incidents })).timeToRestore).toEqual({ medianMinutes: 60, resolved: 3, unresolved: 1 });
  });

  it("splits change failure by whether the deployment shipped AI-written T3/T4 code, with the counts behind each rate", () => {
    const incidents = [incident(at(5, 13), at(5, 14), successful("ai-5", true)), incident(at(14, 13), null, successful("other-14"))];
    const { aiSplit } = doraFromTotals(totals({ aiHighRisk: { deployments: 6, successful: 4 }, other: { deployments: 5, successful: 5 }, incidents }));
    expect(aiSplit).toEqual({
      comparable: true,
      minimumDeployments: MIN_DEPLOYMENTS_TO_COMPARE,
      aiHighRisk: { deployments: 6, failed: 3, rate: 0.5, incidents: 1 },
      other: { deployments: 5, failed: 1, rate: 0.2, incidents: 1 },
    });
  });

  it("does not compare when every deployment shipped AI-written T3/T4 code, or none did", () => {
    const allAi = doraFromTotals(totals({ aiHighRisk: { deployments: 7, successful: 7 } })).aiSplit;
    expect(allAi.comparable).toBe(false);
    expect(allAi.aiHighRisk).toEqual({ deployments: 7, failed: 0, rate: 0, incidents: 0 });
    expect(allAi.other).toEqual({ deployments: 0, failed: 0, rate: null, incidents: 0 });
    const noAi = doraFromTotals(totals({ other: { deployments: 7, successful: 7 } })).aiSplit;
    expect(noAi.comparable).toBe(false);
    expect(noAi.aiHighRisk.deployments).toBe(0);
  });

  it("needs the minimum on both sides: one deployment short is not comparable", () => {
    const enough = { deployments: MIN_DEPLOYMENTS_TO_COMPARE, successful: MIN_DEPLOYMENTS_TO_COMPARE };
    const short = { deployments: MIN_DEPLOYMENTS_TO_COMPARE - 1, successful: MIN_DEPLOYMENTS_TO_COMPARE - 1 };
    expect(doraFromTotals(totals({ aiHighRisk: short, other: enough })).aiSplit.comparable).toBe(false);
    expect(doraFromTotals(totals({ aiHighRisk: enough, other: short })).aiSplit.comparable).toBe(false);
    expect(doraFromTotals(totals({ aiHighRisk: enough, other: enough })).aiSplit.comparable).toBe(true);
  });
});
