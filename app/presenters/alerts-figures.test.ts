import { describe, expect, it } from "vitest";
import { DEFAULT_ALERT_SETTINGS, parseAlertSettings } from "../../domain/alerts/settings.ts";
import { alertFigures } from "./alerts-figures.ts";
import { alertTriggers } from "./alerts-links.ts";

describe("alertFigures", () => {
  it("puts the measured value beside the threshold when it fired and the one set today", () => {
    const parsed = parseAlertSettings({ ai_tax_high: { thresholdPercent: 12 } });
    if (!parsed.ok) throw new Error("settings");
    const figures = alertFigures(
      "ai_tax_high",
      { aiTaxPercent: 14.6, humanTaxPercent: 4.25, thresholdPercent: 10, humanRatio: 1.5, changedLines: 5000, windowDays: 7, asOf: "2026-06-14" },
      parsed.settings,
    );
    expect(figures).toEqual([
      { label: "AI rework (share of changed lines)", value: "15 %", thresholdThen: "above 10 %", thresholdNow: "above 12 %" },
      { label: "Human rework (share of changed lines)", value: "4.3 %", thresholdThen: null, thresholdNow: null },
      { label: "AI rework ÷ human rework", value: "3.4×", thresholdThen: "above 1.5×", thresholdNow: "above 1.5×" },
      { label: "Changed lines", value: "5,000", thresholdThen: null, thresholdNow: null },
      { label: "Window", value: "7 days", thresholdThen: "7 days", thresholdNow: "7 days" },
    ]);
  });

  it("shows a minimum the details did not store only as today's setting", () => {
    const figures = alertFigures("survival_drop", { aiSurvivalPercent: 61, humanSurvivalPercent: 84, gapPoints: 23, thresholdPoints: 15, aiLinesBorn: 800, humanLinesBorn: 1200 }, DEFAULT_ALERT_SETTINGS);
    expect(figures).toContainEqual({ label: "AI-written lines born", value: "800", thresholdThen: null, thresholdNow: "at least 50" });
    expect(figures).toContainEqual({ label: "Gap", value: "23 points", thresholdThen: "more than 15 points", thresholdNow: "more than 15 points" });
  });

  it("lists the numbers of a rule it does not know, without thresholds", () => {
    expect(alertFigures("ai_share_high", { sharePercent: 81.234, message: "AI share high", repo: "acme/api" }, DEFAULT_ALERT_SETTINGS)).toEqual([
      { label: "share percent", value: "81.23", thresholdThen: null, thresholdNow: null },
    ]);
  });
});

describe("alertTriggers", () => {
  const base = { repoId: "r-1", repoFullName: "acme/api", commits: [] };

  it("links an incident alert to the incident, and a review alert to each pull request here and on GitHub", () => {
    const incidentId = "6c1d1d3e-6a55-4a4e-9a43-5f2a1c1b0e11";
    expect(alertTriggers({ ...base, repoSource: "github", details: { incidentId, incidentTitle: "Checkout down" } })).toEqual([
      { kind: "repository", label: "acme/api", to: "/repos/r-1", github: "https://github.com/acme/api" },
      { kind: "incident", label: "Checkout down", to: `/incidents/${incidentId}`, github: null },
    ]);
    expect(alertTriggers({ ...base, repoSource: "github", details: { pullRequests: [{ number: 12, title: "Token refresh" }] } })[1]).toEqual({
      kind: "pull-request",
      label: "#12 Token refresh",
      to: "/repos/r-1/pulls/12",
      github: "https://github.com/acme/api/pull/12",
    });
  });

  it("offers no GitHub link for a demo or locally imported repository, and nothing for an organisation-wide alert", () => {
    expect(alertTriggers({ ...base, repoSource: "demo", details: {} })).toEqual([{ kind: "repository", label: "acme/api", to: "/repos/r-1", github: null }]);
    expect(alertTriggers({ repoId: null, repoFullName: null, repoSource: null, commits: [], details: {} })).toEqual([]);
  });
});
