import { describe, expect, it } from "vitest";
import { analyzeCommit } from "./engine.ts";
import { AGENTS } from "./agents.ts";
import { agentOfIdentity, detectAgentMarkers } from "./markers.ts";
import { makeCommit } from "../../tests/support/commits.ts";

function markerIds(overrides: Parameters<typeof makeCommit>[0]): string[] {
  return detectAgentMarkers(makeCommit(overrides)).map((signal) => signal.id);
}

describe("agent markers", () => {
  it.each([
    ["Claude Code trailer with a model name", "Add retries\n\nCo-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>"],
    ["Claude Code banner", "Add retries\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)"],
    ["older Claude Code banner", "Add retries\n\n🤖 Generated with [Claude Code](https://claude.ai/code)"],
    ["Claude session trailer", "Add retries\n\nClaude-Session: 5f2c9a"],
    ["Copilot editor trailer", "Add retries\n\nCo-authored-by: Copilot <copilot@github.com>"],
    ["Copilot numeric-id trailer", "Add retries\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>"],
    ["older GitHub Copilot trailer", "Add retries\n\nCo-authored-by: GitHub Copilot <noreply@github.com>"],
    ["Copilot agent logs trailer", "Add retries\n\nAgent-Logs-Url: https://github.com/o/r/sessions/1"],
    ["Codex trailer", "Add retries\n\nCo-authored-by: Codex <noreply@openai.com>"],
    ["Cursor trailer", "Add retries\n\nCo-authored-by: Cursor <cursoragent@cursor.com>"],
    ["Made-with: Cursor", "Add retries\n\nMade-with: Cursor"],
    ["Aider trailer", "Add retries\n\nCo-authored-by: aider (openai/gpt-5) <aider@aider.chat>"],
    ["Aider message prefix", "aider: Add retries"],
    ["Gemini CLI banner", "Add retries\n\n🤖 Generated with [Gemini CLI](https://github.com/google-gemini/gemini-cli)"],
    ["Crush banner", "Add retries\n\n💘 Generated with Crush"],
    ["Amp trailer and thread", "Add retries\n\nCo-authored-by: Amp <amp@ampcode.com>\nAmp-Thread-ID: T-123"],
    ["Replit agent", "Add retries\n\nReplit-Commit-Author: Agent"],
    ["OpenHands co-author", "Add retries\n\nCo-authored-by: openhands <openhands@all-hands.dev>"],
    ["kernel Assisted-by", "Add retries\n\nAssisted-by: claude-code:claude-opus-4"],
    ["Devin co-author bot", "Add retries\n\nCo-authored-by: devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>"],
  ])("finds the %s", (_name, message) => {
    const result = analyzeCommit(makeCommit({ message }));
    expect(result.confidence).toBeGreaterThanOrEqual(0.8);
    expect(result.signals[0]?.evidence).toBeTruthy();
  });

  it.each([
    ["Copilot coding agent", "copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"],
    ["Claude bot", "claude[bot]", "209825114+claude[bot]@users.noreply.github.com"],
    ["Devin", "Devin AI", "158243242+devin-ai-integration[bot]@users.noreply.github.com"],
    ["Devin, noreply address without the numeric id", "Devin", "devin-ai-integration[bot]@users.noreply.github.com"],
    ["Jules", "google-labs-jules[bot]", "161369871+google-labs-jules[bot]@users.noreply.github.com"],
    ["Cursor agent", "Cursor Agent", "cursoragent@cursor.com"],
    ["Codex connector", "chatgpt-codex-connector[bot]", "199175422+chatgpt-codex-connector[bot]@users.noreply.github.com"],
    ["Aider name suffix", "Paul Gauthier (aider)", "paul@example.com"],
    ["Amazon Q", "amazon-q-developer[bot]", "208079219+amazon-q-developer[bot]@users.noreply.github.com"],
  ])("recognises the %s as author", (_name, name, email) => {
    const signals = detectAgentMarkers(makeCommit({ author: { name, email, date: "2025-06-01T10:00:00+00:00" } }));
    expect(signals.map((signal) => signal.id)).toContain("agent-identity");
    expect(signals[0]?.evidence).toContain(email);
  });

  it("does not flag a human named Claude, Devin or Jules", () => {
    expect(agentOfIdentity("Claude Monet", "claude.monet@example.fr")).toBeNull();
    expect(agentOfIdentity("Claude", "claude@users.noreply.github.com")).toBeNull();
    expect(agentOfIdentity("Devin Park", "devin@example.com")).toBeNull();
    expect(markerIds({ message: "Tidy up\n\nCo-authored-by: Claude Dupont <claude.dupont@example.fr>" })).toEqual([]);
    expect(markerIds({ message: "Tidy up\n\nCo-authored-by: Jules Verne <jules@example.fr>" })).toEqual([]);
    expect(markerIds({ author: { name: "Cursor", email: "cursor@example.com", date: "2025-01-01T10:00:00Z" } })).toEqual([]);
  });

  it("does not flag commits that merely mention the tools or use their words", () => {
    expect(markerIds({ message: "Move the cursor to the end of the line when continue is pressed" })).toEqual([]);
    expect(markerIds({ message: "Add a Claude Code integration guide\n\nDocuments how to configure Copilot and Codex." })).toEqual([]);
    expect(markerIds({ message: "Fix: co-authored-by parsing\n\nCo-authored-by: Ada Lovelace <ada@example.org>" })).toEqual([]);
  });

  it("reads agent branch prefixes and PR body markers", () => {
    expect(markerIds({ branch: "copilot/fix-login-redirect" })).toEqual(["agent-branch"]);
    expect(markerIds({ branch: "devin/1717171717-add-search" })).toEqual(["agent-branch"]);
    expect(markerIds({ branch: "feature/cursor-blinking" })).toEqual([]);
    expect(markerIds({ pullRequest: { title: "Add search", body: "Link to Devin run: https://app.devin.ai/sessions/abc\nRequested by: Ana" } })).toEqual(["agent-pr-marker"]);
    expect(markerIds({ pullRequest: { title: "Fix typo", body: "PR created automatically by Jules for task 1234" } })).toEqual(["agent-pr-marker"]);
  });

  it("reads line-level records, and ignores records that say the lines are human", () => {
    const ai = markerIds({ lineRecords: [{ source: "git-ai", path: "src/a.ts", contributor: "ai", agent: "claude-opus-4", ranges: [[1, 12]] }] });
    expect(ai).toEqual(["line-records"]);
    const human = markerIds({ lineRecords: [{ source: "agent-trace", path: "src/a.ts", contributor: "human", agent: null, ranges: [[1, 12]] }] });
    expect(human).toEqual([]);
  });

  it("quotes the trailer it found as evidence", () => {
    const [signal] = detectAgentMarkers(makeCommit({ message: "Add retries\n\nCo-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>" }));
    expect(signal?.evidence).toBe('Claude Code co-author trailer: "Co-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>"');
  });

  describe("each marker names the tool that left it", () => {
    const at = "2025-06-01T10:00:00+00:00";
    it.each([
      ["agent-identity", AGENTS.copilotAgent, { author: { name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com", date: at } }],
      ["agent-identity", AGENTS.jules, { author: { name: "google-labs-jules[bot]", email: "161369871+google-labs-jules[bot]@users.noreply.github.com", date: at } }],
      ["agent-coauthor-trailer", AGENTS.claudeCode, { message: "Add retries\n\nCo-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>" }],
      ["agent-coauthor-trailer", AGENTS.copilot, { message: "Add retries\n\nCo-authored-by: Copilot <copilot@github.com>" }],
      ["agent-coauthor-trailer", AGENTS.codex, { message: "Add retries\n\nCo-authored-by: Codex <noreply@openai.com>" }],
      ["agent-coauthor-trailer", AGENTS.openHands, { message: "Add retries\n\nCo-authored-by: openhands <openhands@all-hands.dev>" }],
      ["agent-generated-banner", AGENTS.geminiCli, { message: "Add retries\n\n🤖 Generated with [Gemini CLI](https://github.com/google-gemini/gemini-cli)" }],
      ["agent-generated-banner", AGENTS.crush, { message: "Add retries\n\n💘 Generated with Crush" }],
      ["agent-generated-banner", AGENTS.openCode, { message: "Add retries\n\nGenerated with opencode" }],
      ["agent-session-trailer", AGENTS.amp, { message: "Add retries\n\nAmp-Thread-ID: T-123" }],
      ["agent-session-trailer", AGENTS.cursor, { message: "Add retries\n\nMade-with: Cursor" }],
      ["agent-session-trailer", AGENTS.replit, { message: "Add retries\n\nReplit-Commit-Author: Agent" }],
      ["agent-session-trailer", AGENTS.devin, { message: "Add retries\n\nLink to Devin run: https://app.devin.ai/sessions/abc" }],
      ["aider-message-prefix", AGENTS.aider, { message: "aider: Add retries" }],
      ["agent-branch", AGENTS.copilotAgent, { branch: "copilot/fix-login-redirect" }],
      ["agent-branch", AGENTS.codex, { branch: "codex/add-search" }],
      ["agent-pr-marker", AGENTS.jules, { pullRequest: { title: "Fix typo", body: "PR created automatically by Jules for task 1234" } }],
      ["line-records", AGENTS.claudeCode, { lineRecords: [{ source: "git-ai", path: "src/a.ts", contributor: "ai", agent: "claude-code", ranges: [[1, 12]] }] }],
    ] as const)("%s → %s", (id, agent, overrides) => {
      const signals = detectAgentMarkers(makeCommit(overrides as Parameters<typeof makeCommit>[0]));
      expect(signals.map((signal) => [signal.id, signal.agent])).toContainEqual([id, agent]);
    });

    it("says null, not a guess, when the mark names no tool", () => {
      const [assisted] = detectAgentMarkers(makeCommit({ message: "Add retries\n\nAssisted-by: some-model" }));
      expect(assisted).toMatchObject({ id: "agent-session-trailer", agent: null });
      const [model] = detectAgentMarkers(makeCommit({ lineRecords: [{ source: "git-ai", path: "src/a.ts", contributor: "ai", agent: "claude-opus-4", ranges: [[1, 3]] }] }));
      expect(model).toMatchObject({ id: "line-records", agent: null });
    });
  });
});
