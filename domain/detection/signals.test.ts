import { describe, expect, it } from "vitest";
import { analyzeCommit, extractCommitTells } from "./engine.ts";
import { DETECTOR_MODEL, familyOf } from "./model.ts";
import { aiDisclosureSignal, messageTells, timeOfDayTell, velocityTell } from "./signals.ts";
import { addedPatch, makeCommit, makeFile } from "../../tests/support/commits.ts";
import type { NormalisedCommit } from "./types.ts";

/**
 * Every tell in both directions: it fires on an example and stays silent on a near miss. What a tell is worth is the
 * model's business (model.test.ts); here only whether it is seen, and what its evidence says.
 */

function messageTellIds(message: string, overrides: Partial<NormalisedCommit> = {}): string[] {
  return messageTells(makeCommit({ message, ...overrides })).map((tell) => tell.id);
}

const SQUASH_LOG = "Add lockdown mode (#1371)\n\n* Add lockdown mode to filter issue\n\n* Update the flag name\n  in the docs";
const EXPLANATION = "The refresh ran after expiry, so every request in the last minute of a session failed with 401 and retried.";

/** [tell, a message that shows it, a near miss that does not]. */
const MESSAGE_TELLS: ReadonlyArray<readonly [string, string, string]> = [
  ["message-one-line", "Fix off-by-one in pagination", "Fix off-by-one in pagination\n\nThe last page repeated the first row of the next one."],
  ["message-conventional-subject", "fix(auth): refresh the token before it expires", "core: refresh the token before it expires"],
  ["message-area-prefix", "tests: Standardize indentation", "Standardize test indentation"],
  ["message-signed-off", "Fix the build\n\nSigned-off-by: Dana Smith <dana@example.org>", "Fix the build\n\nReject commits without a Signed-off-by trailer in CI."],
  ["message-pr-number", "Cache parsed configs (#41)", "Cache parsed configs for #41"],
  ["message-squash-log", SQUASH_LOG, "Add lockdown mode\n\n* Add lockdown mode to filter issue\n* Update the flag name"],
  ["message-markdown", "Add rate limiting\n\n## Summary\nAdds a token bucket per API key.", "Add rate limiting\n\nAdds a token bucket per API key, see #412."],
  ["message-typographic", "Add rate limiting\n\nRequests over the limit get 429 — not 500.", "Add rate limiting\n\nRequests over the limit get 429 -- not 500."],
  ["message-vocabulary", "Add a comprehensive test suite for the parser", "Add a complete test suite for the parser"],
  ["message-bullets", "Tidy the parser\n\n- Drop the cache\n- Rename the lexer\n- Inline the helper", "Tidy the parser\n\n- Drop the cache\n- Rename the lexer"],
  ["message-long-body", `Rework the scheduler\n\n${"The queue now drains in priority order. ".repeat(11)}`, `Rework the scheduler\n\n${"Co-authored-by: Ana Lima <ana@example.org>\n".repeat(11)}`],
  ["message-conventional-explained", `fix(auth): refresh the token\n\n${EXPLANATION}`, `core: refresh the token\n\n${EXPLANATION}`],
  [
    "message-list-under-prose",
    "Cache parsed configs\n\nParsing the config on every request dominated the profile of the API server.\n- Add an LRU keyed by path\n- Invalidate on file change",
    "Cache parsed configs (#41)\n\n* Add an LRU keyed by path for the config parser cache\n\n* Invalidate on file change",
  ],
  [
    "message-explanation-phrases",
    "Paginate the labels query\n\nRepositories with many labels return a complete list instead of silently truncating it.",
    "Paginate the labels query\n\nRepositories with many labels return a complete list now.",
  ],
  ["message-hanging-bullets", "Address review feedback\n\n- Paginate the labels query so repos with more than\n  100 labels return a complete list.\n- Emit an empty due date.", SQUASH_LOG],
  ["message-long-subject", "Refresh the session token a minute before it expires", "Refresh the session token before it expires"],
];

describe("message tells", () => {
  it.each(MESSAGE_TELLS)("%s fires on an example and not on a near miss", (id, fires, nearMiss) => {
    expect(messageTellIds(fires)).toContain(id);
    expect(messageTellIds(nearMiss)).not.toContain(id);
  });

  it("has an example for every message tell the model weighs", () => {
    const weighed = Object.keys(DETECTOR_MODEL.weights).filter((id) => familyOf(id) === "message");
    expect(weighed.filter((id) => !MESSAGE_TELLS.some(([tested]) => tested === id))).toEqual([]);
  });

  it("reads trailers as metadata: a subject over trailers is one line, and trailers do not make a body explanatory", () => {
    const trailersOnly = "fix(auth): refresh the token\n\nCo-authored-by: Alex Example <alex.example@example.org>\nSigned-off-by: Dana Example <dana.example@example.org>";
    const ids = messageTellIds(trailersOnly);
    expect(ids).toEqual(expect.arrayContaining(["message-one-line", "message-conventional-subject", "message-signed-off"]));
    expect(ids).not.toContain("message-conventional-explained");
    // Indented inside the body, a trailer is still a trailer.
    expect(messageTellIds("Fix the build\n\n    Co-authored-by: Ana Lima <ana@example.org>")).toContain("message-one-line");
  });

  it("quotes what it found", () => {
    const tells = messageTells(makeCommit({ message: `fix(auth): refresh the token\n\n${EXPLANATION}` }));
    expect(tells.find((tell) => tell.id === "message-conventional-explained")?.evidence).toBe(
      `Conventional-Commits subject ("fix(auth):") over a ${EXPLANATION.length}-character explanation`,
    );
    const phrases = messageTells(makeCommit({ message: MESSAGE_TELLS.find(([id]) => id === "message-explanation-phrases")![1] }));
    expect(phrases.find((tell) => tell.id === "message-explanation-phrases")?.evidence).toBe('explanation phrases "silently", "instead of"');
  });

  it("ignores the templated messages of dependency and release bots, not those of an unknown GitHub App", () => {
    const message = [
      "build(deps): bump lodash from 4.17.20 to 4.17.21",
      "",
      "Bumps [lodash](https://github.com/lodash/lodash) from 4.17.20 to 4.17.21. This is a templated message.",
      "- [Release notes](https://github.com/lodash/lodash/releases)",
      "- [Commits](https://github.com/lodash/lodash/compare/4.17.20...4.17.21)",
    ].join("\n");
    const dependabot = { name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com", date: "2025-03-04T14:05:00Z" };
    expect(messageTellIds(message, { author: dependabot })).toEqual([]);
    expect(messageTellIds(message)).toContain("message-conventional-explained");
    const agentApp = { ...dependabot, name: "marvin-context-protocol[bot]", email: "225465937+marvin-context-protocol[bot]@users.noreply.github.com" };
    expect(messageTellIds(message, { author: agentApp })).toContain("message-conventional-explained");
  });

  it("sees nothing in an empty message", () => {
    expect(messageTellIds("")).toEqual([]);
    expect(messageTellIds("   \n\n")).toEqual([]);
  });
});

interface CodeExample {
  path: string;
  lines: readonly string[];
}

function styleTellsOf({ path, lines }: CodeExample) {
  const commit = makeCommit({ files: [makeFile({ path, status: "added", additions: lines.length, deletions: 0, patch: addedPatch(lines) })] });
  return extractCommitTells(commit).tells.filter((tell) => familyOf(tell.id) === "style");
}
const styleTellIds = (example: CodeExample) => styleTellsOf(example).map((tell) => tell.id);
const styleEvidence = (example: CodeExample, id: string) => styleTellsOf(example).find((tell) => tell.id === id)?.evidence;

const NARRATED = [
  "export function syncUsers(users: User[]) {",
  "  // Check if the list is empty",
  "  if (users.length === 0) return;",
  "  // Validate each user before saving",
  "  const valid = users.filter(isValid);",
  "  save(valid);",
  "}",
];
const plainLines = (count: number) => Array.from({ length: count }, (_, i) => `  register(${i});`);
const TEST_STEPS = ["it('refreshes the token', async () => {", "  // When the token has expired", "  clock.tick(3_600_000);", "  expect(refresh).toHaveBeenCalledTimes(1);", "});"];

/** Each style tell: code that shows it, and a near miss that does not. */
const STYLE_TELLS: Readonly<Record<string, { fires: CodeExample; nearMiss: CodeExample }>> = {
  "style-typographic": {
    fires: { path: "src/sync.ts", lines: ["export function sync(users: User[]) {", "  return users.map(save); // each user → one row", "}"] },
    nearMiss: { path: "src/sync.ts", lines: ["export function sync(users: User[]) {", "  return users.map(save); // each user -> one row", "}"] },
  },
  "style-narration": {
    fires: { path: "src/sync.ts", lines: NARRATED },
    // A comment that ends in a full stop states a fact; it does not narrate the next line.
    nearMiss: { path: "src/sync.ts", lines: NARRATED.map((line) => line.replace("// Validate each user before saving", "// Saving is idempotent.")) },
  },
  "style-comment-density": {
    fires: { path: "src/sync.ts", lines: ["export function sync() {", "  // Check the queue", "  // before the flush runs", "  // on every tick", ...plainLines(8)] },
    nearMiss: { path: "src/sync.ts", lines: ["export function sync() {", "  // Check the queue", "  // before the flush runs", "  // on every tick", ...plainLines(20)] },
  },
  "style-generic-names": {
    fires: { path: "src/load.ts", lines: ["export async function load() {", "  const result = await fetchAll();", "  const users = result.users;", "  const teams = result.teams;", "  const owners = teams.owners;", "}"] },
    nearMiss: { path: "src/load.ts", lines: ["export async function load() {", "  const page = await fetchAll();", "  const users = page.users;", "  const teams = page.teams;", "  const owners = teams.owners;", "}"] },
  },
  "style-aside": {
    fires: { path: "src/cache.ts", lines: ["export function order(keys: string[]) {", "  // Keep the caller's order (not the cache's insertion order)", "  return keys.slice();", "}"] },
    // Parentheses that only hold a unit or an issue are no aside.
    nearMiss: { path: "src/cache.ts", lines: ["export function ttl() {", "  // Time to live (in ms), see (#123)", "  return 60_000;", "}"] },
  },
  "style-test-steps": {
    fires: { path: "src/auth/token.test.ts", lines: TEST_STEPS },
    // In code, "// When …" is a condition, not a test step.
    nearMiss: { path: "src/auth/token.ts", lines: TEST_STEPS },
  },
  "style-semicolon-clauses": {
    fires: { path: "cmd/run.go", lines: ["func run(cmd *exec.Cmd) error {", "\t// stdin must be closed before Wait; its exit status on EOF is expected", "\treturn cmd.Wait()", "}"] },
    // A commented-out statement is no prose.
    nearMiss: { path: "src/loop.ts", lines: ["export function sum(xs: number[]) {", "  // for (let i = 0; i < xs.length; i++) total += xs[i];", "  return xs.reduce(add, 0);", "}"] },
  },
  "style-explanatory-comments": {
    fires: { path: "src/config.ts", lines: ["export function load(path: string) {", "  // Fall back to the default so a missing file never breaks start-up", "  return read(path) ?? DEFAULTS;", "}"] },
    // One such word is ordinary English.
    nearMiss: { path: "src/config.ts", lines: ["export function load(path: string) {", "  // Never read the file twice", "  return cached(path);", "}"] },
  },
};
const styleExample = (id: string) => STYLE_TELLS[id]!.fires;

describe("style tells", () => {
  it.each(Object.entries(STYLE_TELLS))("%s fires on an example and not on a near miss", (id, { fires, nearMiss }) => {
    expect(styleTellIds(fires)).toContain(id);
    expect(styleTellIds(nearMiss)).not.toContain(id);
  });

  it("has an example for every style tell the model weighs", () => {
    const weighed = Object.keys(DETECTOR_MODEL.weights).filter((id) => familyOf(id) === "style");
    expect(weighed.filter((id) => !(id in STYLE_TELLS))).toEqual([]);
  });

  it("reads comments the way each language writes them", () => {
    const python = ["def load(path):", "    # Check if the file exists", "    if not exists(path):", "        return None", "    # Parse the file", "    return parse(path)"];
    const go = ["func Load(path string) error {", "\t// Check if the file exists", "\tif _, err := os.Stat(path); err != nil {", "\t\treturn err", "\t}", "\t// Parse the file", "\treturn parse(path)", "}"];
    for (const [path, lines] of [["app/load.py", python], ["pkg/load.go", go], ["src/load.rs", go.map((line) => line.replace("func", "fn"))], ["src/Load.java", go]] as const) {
      expect(styleEvidence({ path, lines }, "style-narration"), path).toMatch(/^2 step-narrating comments \((#|\/\/) Check if the file exists\)$/);
    }
    // "#" is not a comment in TypeScript.
    expect(styleTellIds({ path: "src/a.ts", lines: ["class A {", "  #check if = 1;", "  #parse the = 2;", "}"] })).toEqual([]);
  });

  it("quotes what it found", () => {
    expect(styleEvidence(styleExample("style-aside"), "style-aside")).toBe("1 comment with a parenthetical aside (// Keep the caller's order (not the cache's insertion order))");
    expect(styleEvidence(styleExample("style-explanatory-comments"), "style-explanatory-comments")).toBe('comments explain at length ("never", "fall back" in 1 of 1 comments)');
    expect(styleEvidence(styleExample("style-test-steps"), "style-test-steps")).toBe("1 test-step comment (// When the token has expired)");
  });

  it("reads a stray explanatory word or semicolon among many plain comments as chance (a heavily commented human script)", () => {
    const explained = styleExample("style-explanatory-comments");
    const diluted = { ...explained, lines: [...explained.lines, ...Array.from({ length: 60 }, (_, i) => `// register completion ${i}`), ...plainLines(60)] };
    expect(styleTellIds(diluted)).not.toContain("style-explanatory-comments");
    const prose = styleExample("style-semicolon-clauses");
    const many = { ...prose, lines: [...prose.lines, ...Array.from({ length: 30 }, (_, i) => `\t// register flag ${i}`), ...Array.from({ length: 30 }, (_, i) => `\tregister(${i})`)] };
    expect(styleTellIds(many)).not.toContain("style-semicolon-clauses");
  });

  it("needs at least three written lines of code: two say nothing of a style", () => {
    const { path, lines } = styleExample("style-typographic");
    expect(styleTellIds({ path, lines: lines.slice(0, 2) })).toEqual([]);
  });

  it("judges only the code and tests somebody wrote", () => {
    const { lines } = styleExample("style-typographic");
    expect(styleTellIds({ path: "docs/sync.md", lines })).toEqual([]);
    expect(styleTellIds({ path: "vendor/lib/sync.ts", lines })).toEqual([]);
    // The same lines re-indented are moved, not written.
    const reindented = ["@@ -1,3 +1,3 @@", ...lines.map((line) => `-${line}`), ...lines.map((line) => `+\t${line}`)].join("\n");
    const commit = makeCommit({ files: [makeFile({ path: "src/sync.ts", additions: 3, deletions: 3, patch: reindented })] });
    expect(extractCommitTells(commit).tells.map((tell) => tell.id)).not.toContain("style-typographic");
  });
});

const bigFile = (lines: number) =>
  makeFile({ path: "src/feature.ts", status: "added", additions: lines, deletions: 0, patch: addedPatch(Array.from({ length: lines }, (_, i) => `export const value${i} = ${i};`)) });
/** Authored 14:05 at +01:00, `minutesLater` after the previous commit. */
function commitAfter(minutesLater: number, lines: number): NormalisedCommit {
  const previous = new Date(Date.UTC(2025, 2, 4, 13, 5) - minutesLater * 60_000).toISOString();
  return makeCommit({ author: { name: "Dana", email: "dana@example.org", date: "2025-03-04T14:05:00+01:00" }, authorPreviousCommitAt: previous, files: [bigFile(lines)] });
}
const timingIds = (commit: NormalisedCommit) =>
  extractCommitTells(commit)
    .tells.map((tell) => tell.id)
    .filter((id) => familyOf(id) === "timing");

describe("velocity", () => {
  it("velocity-fast: 500+ written lines within 5 minutes of the author's previous commit, and says so", () => {
    expect(velocityTell(commitAfter(3, 612), 612)).toEqual({ id: "velocity-fast", evidence: "612 lines 3 minutes after the author's previous commit" });
    expect(velocityTell(commitAfter(0.5, 612), 612)?.evidence).toBe("612 lines under a minute after the author's previous commit");
  });

  it("velocity-fast does not fire a minute too late or a line too short: those are a burst", () => {
    expect(velocityTell(commitAfter(6, 612), 612)?.id).toBe("velocity-burst");
    expect(velocityTell(commitAfter(3, 499), 499)?.id).toBe("velocity-burst");
  });

  it("velocity-burst: 100+ written lines within 15 minutes", () => {
    expect(velocityTell(commitAfter(12, 150), 150)).toEqual({ id: "velocity-burst", evidence: "150 lines 12 minutes after the author's previous commit" });
  });

  it("velocity-burst does not fire for 99 lines, 16 minutes later, without a previous commit, or with one after this one", () => {
    expect(velocityTell(commitAfter(12, 99), 99)).toBeNull();
    expect(velocityTell(commitAfter(16, 150), 150)).toBeNull();
    expect(velocityTell({ ...commitAfter(3, 612), authorPreviousCommitAt: null }, 612)).toBeNull();
    expect(velocityTell(commitAfter(-3, 612), 612)).toBeNull();
  });

  it("counts written lines, not moves, lockfiles, generated, vendored files or pasted data", () => {
    const minuteAgo = (files: ReturnType<typeof makeFile>[]) => makeCommit({ authorPreviousCommitAt: "2025-03-04T14:04:00+01:00", files });
    const rename = makeFile({ path: "src/new-home/engine.ts", previousPath: "src/engine.ts", status: "renamed", additions: 5000, deletions: 5000, patch: null });
    const csv = makeFile({ path: "benchsuite/runs/2020-10-14/raw.csv", status: "added", additions: 671, deletions: 0, patch: null });
    const lock = makeFile({ path: "package-lock.json", additions: 4000, deletions: 3900, patch: null });
    const vendored = makeFile({ path: "vendor/github.com/lib/pq/conn.go", additions: 900, deletions: 0, patch: null });
    const generated = makeFile({ path: "api/gen/service.pb.go", additions: 700, deletions: 0, patch: null });
    expect(timingIds(minuteAgo([rename, csv, lock, vendored, generated]))).toEqual([]);
    expect(extractCommitTells(minuteAgo([rename, csv, lock, vendored, generated])).writtenLines).toBe(0);
    expect(timingIds(minuteAgo([csv, bigFile(612)]))).toEqual(["velocity-fast"]);
  });
});

describe("time of day", () => {
  const at = (date: string) => makeCommit({ author: { name: "A", email: "a@example.org", date } });

  it("fires between 02:00 and 04:59 on the author's own clock and quotes the offset", () => {
    expect(timeOfDayTell(at("2025-03-04T02:40:00+01:00"))).toEqual({ id: "time-of-day", evidence: "authored 02:40 +01:00" });
    expect(timeOfDayTell(at("2025-03-04T04:59:00Z"))?.evidence).toBe("authored 04:59 +00:00");
    // 03:00 local is the afternoon in UTC.
    expect(timeOfDayTell(at("2025-03-04T03:00:00-10:00"))?.evidence).toBe("authored 03:00 -10:00");
  });

  it("does not fire at 01:59 or 05:00, nor for 03:00 UTC that is 10:00 on the author's clock", () => {
    expect(timeOfDayTell(at("2025-03-04T01:59:00+01:00"))).toBeNull();
    expect(timeOfDayTell(at("2025-03-04T05:00:00+01:00"))).toBeNull();
    expect(timeOfDayTell(at("2025-03-04T10:00:00+07:00"))).toBeNull();
    expect(timeOfDayTell(at("not a date"))).toBeNull();
  });
});

describe("the timing tells", () => {
  it("have an example for every timing tell the model weighs", () => {
    const night = makeCommit({ author: { name: "A", email: "a@example.org", date: "2025-03-04T02:40:00+01:00" } });
    const tested = new Set<string | undefined>([velocityTell(commitAfter(3, 612), 612)?.id, velocityTell(commitAfter(12, 150), 150)?.id, timeOfDayTell(night)?.id]);
    const weighed = Object.keys(DETECTOR_MODEL.weights).filter((id) => familyOf(id) === "timing");
    expect(weighed.filter((id) => !tested.has(id))).toEqual([]);
  });
});

describe("AI disclosure in the PR or message", () => {
  it("fires when the PR says the change was generated with a tool", () => {
    const signal = aiDisclosureSignal(makeCommit({ pullRequest: { title: "Add CSV export", body: "This PR was mostly generated with Claude Code, reviewed by me." } }));
    expect(signal).toMatchObject({ id: "pr-ai-disclosure", weight: 0.7 });
    expect(signal?.evidence).toContain("mostly generated with Claude Code");
  });

  it("does not fire for a PR about a Copilot integration", () => {
    const pr = { title: "Add GitHub Copilot integration", body: "Adds a settings page for Copilot and ChatGPT API keys.\nUsers can enable the Copilot sidebar." };
    expect(aiDisclosureSignal(makeCommit({ pullRequest: pr }))).toBeNull();
  });

  it("does not fire for code that is generated by a tool that is not AI", () => {
    expect(aiDisclosureSignal(makeCommit({ message: "Regenerate protobufs\n\nGenerated with protoc 3.21." }))).toBeNull();
  });

  it("lifts the commit's confidence like a marker, above anything the tells reach", () => {
    const disclosed = analyzeCommit(makeCommit({ message: "Add CSV export\n\nWritten with the help of Claude." }));
    expect(disclosed.signals[0]?.id).toBe("pr-ai-disclosure");
    expect(disclosed.confidence).toBeGreaterThanOrEqual(0.7);
  });
});
