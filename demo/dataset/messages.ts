/**
 * Commit messages, PR titles and bodies. Human messages are short; AI-assisted ones are long and
 * structured, and carry the trailers the tools write today (docs/detection.md) unless the author strips them.
 */
import type { DemoMember, AiTool } from "./types.ts";
import type { Random } from "./random.ts";

export interface Topic {
  /** Conventional-commit scope, e.g. "payments". */
  scope: string;
  noun: string;
  aspect: string;
  /** Sentence-case summary, e.g. "Add retries to refund capture". */
  title: string;
  slug: string;
}

const ASPECTS = ["retries", "validation", "idempotency", "pagination", "rate limits", "expiry", "rounding", "audit logging", "error states", "caching", "timeouts"] as const;
const TITLE_VERBS = ["Add", "Fix", "Handle", "Improve", "Refactor", "Support"] as const;

export function makeTopic(random: Random, scope: string, noun: string): Topic {
  const aspect = random.pick(ASPECTS);
  const verb = random.pick(TITLE_VERBS);
  const title = `${verb} ${aspect} for ${noun.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()}`;
  const slug = `${verb}-${aspect}-${noun}`
    .replace(/([a-z])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-");
  return { scope, noun, aspect, title, slug };
}

export type ChangeKind = "feature" | "followup" | "review" | "fix" | "hotfix";

export interface ChangeSummary {
  added: string[];
  reworked: string[];
  edited: string[];
  files: string[];
}

function conventionalType(kind: ChangeKind, topic: Topic): string {
  if (kind === "fix" || kind === "hotfix") return "fix";
  if (kind === "review") return "refactor";
  return topic.title.startsWith("Fix") ? "fix" : topic.title.startsWith("Refactor") ? "refactor" : "feat";
}

export function humanMessage(random: Random, kind: ChangeKind, topic: Topic, summary: ChangeSummary): string {
  const fn = summary.added[0] ?? summary.reworked[0] ?? summary.edited[0] ?? topic.noun;
  switch (kind) {
    case "review":
      return random.pick(["address review comments", "review feedback", "rename per review", "nit", "simplify per review", `pr feedback: ${fn}`]);
    case "followup":
      return random.pick(["wip", "fix tests", `tidy ${fn}`, `handle empty ${topic.noun}`, "lint", `more ${topic.aspect}`, "oops"]);
    case "hotfix":
      return `fix(${topic.scope}): ${topic.title.toLowerCase()}`;
    case "fix":
      return random.pick([`fix ${topic.noun} ${topic.aspect}`, `fix(${topic.scope}): guard ${fn}`, `handle null in ${fn}`, `${topic.scope}: fix off-by-one`, "fix flaky test"]);
    case "feature":
      return random.chance(0.5) ? `${conventionalType(kind, topic)}(${topic.scope}): ${topic.title.toLowerCase()}` : topic.title.toLowerCase();
  }
}

const WHY = [
  "Requests could be processed twice when the provider timed out after accepting them.",
  "The previous implementation assumed a single currency and silently dropped the minor units.",
  "Callers had no way to tell a transient failure from a permanent one, so everything was retried.",
  "Support asked for a clear error instead of a generic 500 when the input is malformed.",
  "Under load the cache was bypassed on every miss, which doubled the database reads.",
  "Expired values were still accepted for a few minutes because the check used the server clock.",
] as const;

function aiBody(random: Random, kind: ChangeKind, topic: Topic, summary: ChangeSummary): string {
  const bullets: string[] = [];
  for (const name of summary.added) bullets.push(`- Add \`${name}\``);
  for (const name of summary.reworked) bullets.push(`- Rework \`${name}\` to handle ${topic.aspect}`);
  for (const name of summary.edited.slice(0, 3)) bullets.push(`- Update \`${name}\``);
  if (summary.files.some((f) => /test|spec/.test(f))) bullets.push("- Cover the new paths with tests");
  if (bullets.length === 0) bullets.push(`- Adjust ${topic.noun} ${topic.aspect}`);
  const subject =
    kind === "review"
      ? `refactor(${topic.scope}): address review feedback on ${topic.noun} ${topic.aspect}`
      : kind === "followup"
        ? `${conventionalType(kind, topic)}(${topic.scope}): follow-up for ${topic.noun} ${topic.aspect}`
        : `${conventionalType(kind, topic)}(${topic.scope}): ${topic.title.charAt(0).toLowerCase()}${topic.title.slice(1)}`;
  const parts = [subject, "", random.pick(WHY), "", "## Changes", ...bullets];
  if (random.chance(0.5)) parts.push("", "## Testing", random.pick(["- npm test", "- go test ./...", "- Ran the unit tests and the affected e2e spec locally"]));
  return parts.join("\n");
}

/** Message for an AI-assisted commit; `marked` decides whether the tool's trailer survives. */
export function aiMessage(random: Random, tool: AiTool, marked: boolean, kind: ChangeKind, topic: Topic, summary: ChangeSummary, driver: DemoMember): string {
  const body = aiBody(random, kind, topic, summary);
  if (!marked) return body;
  switch (tool) {
    case "claude-code": {
      const name = random.weighted([["Claude", 6], ["Claude Opus 4.5", 2], ["Claude Sonnet 4.5", 2]] as const);
      return `${body}\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: ${name} <noreply@anthropic.com>`;
    }
    case "cursor":
      return random.chance(0.8) ? `${body}\n\nCo-authored-by: Cursor <cursoragent@cursor.com>` : `${body}\n\nMade-with: Cursor`;
    case "cursor-agent":
      return `${body}\n\nCo-authored-by: ${driver.name} <${driver.email}>`;
    case "codex":
      return `${body}\n\nCo-authored-by: Codex <noreply@openai.com>`;
    case "copilot-agent": {
      const short = `${kind === "review" ? "Address review feedback" : topic.title}${summary.added[0] ? `: add ${summary.added[0]}` : ""}`;
      const logs = random.chance(0.5) ? `\nAgent-Logs-Url: https://github.com/acme-demo/sessions/${random.hex(8)}` : "";
      return `${short}\n\nCo-authored-by: ${driver.login} <${driver.email}>${logs}`;
    }
  }
}

export function branchName(random: Random, tool: AiTool | null, driver: DemoMember, topic: Topic): string {
  switch (tool) {
    case "copilot-agent":
      return `copilot/${topic.slug}`;
    case "codex":
      return `codex/${topic.slug}`;
    case "cursor-agent":
      return `cursor/${topic.slug}-${random.hex(4)}`;
    default:
      return random.weighted([
        [`${driver.login}/${topic.slug}`, 2],
        [`${topic.title.startsWith("Fix") ? "fix" : "feat"}/${topic.slug}`, 3],
      ] as const);
  }
}

export function pullRequestBody(random: Random, tool: AiTool | null, topic: Topic): string {
  switch (tool) {
    case "copilot-agent":
      return `${topic.title}.\n\nFixes #${random.int(40, 400)}\n\n<!-- START COPILOT CODING AGENT TIPS -->\n💡 You can make Copilot smarter by setting up custom instructions.`;
    case "codex":
      return `## Summary\n- ${topic.title}\n\n## Testing\n- ✅ npm test\n\n------\nhttps://chatgpt.com/codex/tasks/task_e_${random.hex(24)}`;
    case "claude-code":
      return `## Summary\n- ${topic.title}\n\n## Test plan\n- [x] unit tests\n- [ ] verify on staging\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)`;
    case "cursor-agent":
      return `${topic.title}\n\n---\n<a href="https://cursor.com/background-agent?bcId=bc-${random.uuid()}">Open in Cursor</a>`;
    default:
      return random.pick(["", `${topic.title}.`, `Closes #${random.int(40, 400)}`, `${topic.title}.\n\nNeeds a look from someone who knows ${topic.scope}.`]);
  }
}

export function reviewBody(random: Random, state: "approved" | "changes_requested" | "commented"): string | null {
  switch (state) {
    case "approved":
      return random.pick([null, "LGTM", "Looks good, thanks!", "🚀"]);
    case "changes_requested":
      return random.pick(["This swallows the provider error, can we surface it?", "Please add a test for the timeout path.", "The rounding here is not half-even."]);
    case "commented":
      return random.pick(["Question inline.", "Non-blocking: naming.", "Is this covered by the e2e suite?"]);
  }
}
