import { describe, expect, it } from "vitest";
import { countPatchLines } from "./diff.ts";
import { generateDemoDataset } from "./generate.ts";
import type { DemoDataset, DemoDelivery, GitHubCommitResponse, PullRequestPayload, PushPayload } from "./index.ts";

const NOW = new Date("2026-03-02T12:00:00Z");
const DAY = 86_400_000;
const dataset = generateDemoDataset({ seed: 1, now: NOW });
const start = NOW.getTime() - 90 * DAY;
const truth = dataset.groundTruth.commits;
const bySha = new Map(dataset.commits.map((c) => [c.sha, c]));

type Of<E extends DemoDelivery["event"]> = Extract<DemoDelivery, { event: E }>;
function deliveries<E extends DemoDelivery["event"]>(ds: DemoDataset, event: E): Of<E>[] {
  return ds.deliveries.filter((d): d is Of<E> => d.event === event);
}
const pushes = deliveries(dataset, "push");
const mainPushes = pushes.filter((p) => p.payload.ref === "refs/heads/main");
const nonMerge = dataset.commits.filter((c) => c.parents.length === 1);

/** What a user of the demo sees as "AI-marked": the markers listed in docs/detection.md. */
const MARKER =
  /Co-Authored-By: Claude[^\n]*<noreply@anthropic\.com>|Generated with \[Claude Code\]|cursoragent@cursor\.com|Made-with: Cursor|Co-authored-by: Codex <noreply@openai\.com>/i;
function isMarked(c: GitHubCommitResponse): boolean {
  return MARKER.test(c.commit.message) || c.commit.author.email === "198982749+Copilot@users.noreply.github.com" || c.commit.author.email === "cursoragent@cursor.com";
}

function share(commits: GitHubCommitResponse[], predicate: (c: GitHubCommitResponse) => boolean): number {
  return commits.filter(predicate).length / commits.length;
}

function thirdOf(c: GitHubCommitResponse): number {
  return Math.min(2, Math.floor(((Date.parse(c.commit.committer.date) - start) / (90 * DAY)) * 3));
}

describe("generateDemoDataset: determinism and shape", () => {
  it("returns deep-equal data for the same seed and now, and different activity for another seed", () => {
    expect(generateDemoDataset({ seed: 1, now: NOW })).toEqual(dataset);
    const other = generateDemoDataset({ seed: 2, now: NOW });
    expect(other.commits.map((c) => c.sha)).not.toEqual(dataset.commits.map((c) => c.sha));
    expect(other.deliveries.length).not.toBe(dataset.deliveries.length);
  });

  it("describes the acme-demo organisation, its three repositories and about eight developers", () => {
    expect(dataset.account).toMatchObject({ login: "acme-demo", type: "Organization" });
    expect(dataset.repositories.map((r) => r.full_name).sort()).toEqual(["acme-demo/checkout-api", "acme-demo/ledger-service", "acme-demo/web-app"]);
    for (const repo of dataset.repositories) {
      expect(repo).toMatchObject({ default_branch: "main", owner: { login: "acme-demo" }, html_url: `https://github.com/${repo.full_name}` });
    }
    expect(dataset.members.length).toBeGreaterThanOrEqual(6);
    expect(new Set(dataset.members.map((m) => m.utcOffset)).size).toBeGreaterThanOrEqual(5);
    for (const m of dataset.members) expect(m.email).toBe(`${m.id}+${m.login}@users.noreply.github.com`);
    for (const d of dataset.deliveries) expect(d.payload.installation.id).toBe(dataset.account.installationId);
  });

  it("is about 1,000–1,500 commits and stays small enough to seed quickly", () => {
    expect(dataset.commits.length).toBeGreaterThanOrEqual(1000);
    expect(dataset.commits.length).toBeLessThanOrEqual(1500);
    expect(JSON.stringify(dataset).length).toBeLessThan(15_000_000);
  });

  it("honours a shorter window", () => {
    const short = generateDemoDataset({ seed: 1, now: NOW, days: 14 });
    const from = NOW.getTime() - 14 * DAY;
    expect(short.window).toEqual({ start: "2026-02-16T12:00:00Z", end: "2026-03-02T12:00:00Z", days: 14 });
    expect(short.commits.length).toBeGreaterThan(100);
    expect(short.commits.length).toBeLessThan(dataset.commits.length / 3);
    for (const d of short.deliveries) expect(Date.parse(d.receivedAt)).toBeGreaterThanOrEqual(from);
    for (const c of short.commits) expect(Date.parse(c.commit.author.date)).toBeGreaterThanOrEqual(from);
  });

  it("uses UUID-shaped, unique delivery ids, in time order", () => {
    const ids = dataset.deliveries.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const times = dataset.deliveries.map((d) => Date.parse(d.receivedAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe("commits", () => {
  it("has a get-a-commit response for every commit a push mentions, and nothing else", () => {
    const mentioned = new Set(pushes.flatMap((p) => p.payload.commits.map((c) => c.id)));
    expect(new Set(dataset.commits.map((c) => c.sha))).toEqual(mentioned);
    for (const p of pushes) {
      expect(p.payload.after).toBe(p.payload.head_commit?.id);
      for (const c of p.payload.commits) expect(c.timestamp).toBe(bySha.get(c.id)?.commit.author.date);
    }
  });

  it("has stats equal to the file sums, and file counts equal to the patch lines", () => {
    for (const c of dataset.commits) {
      expect(c.stats.additions).toBe(c.files.reduce((s, f) => s + f.additions, 0));
      expect(c.stats.deletions).toBe(c.files.reduce((s, f) => s + f.deletions, 0));
      expect(c.stats.total).toBe(c.stats.additions + c.stats.deletions);
      for (const f of c.files) {
        expect(f.patch).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@/);
        expect(countPatchLines(f.patch ?? "")).toEqual({ additions: f.additions, deletions: f.deletions });
        expect(f.changes).toBe(f.additions + f.deletions);
      }
    }
  });

  it("dates every commit inside the window with its author's UTC offset", () => {
    const offsets = new Map(dataset.members.map((m) => [m.email, m.utcOffset]));
    for (const c of dataset.commits) {
      for (const date of [c.commit.author.date, c.commit.committer.date]) {
        expect(date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
        expect(Date.parse(date)).toBeGreaterThanOrEqual(start);
        expect(Date.parse(date)).toBeLessThan(NOW.getTime());
      }
      const offset = offsets.get(c.commit.author.email);
      if (offset) expect(c.commit.author.date.endsWith(offset)).toBe(true);
    }
  });

  it("never dates a commit before its parent or after the push that delivered it", () => {
    for (const c of dataset.commits) {
      for (const p of c.parents) {
        const parent = bySha.get(p.sha);
        if (parent) expect(Date.parse(c.commit.committer.date)).toBeGreaterThanOrEqual(Date.parse(parent.commit.committer.date));
      }
    }
    for (const p of pushes) for (const c of p.payload.commits) expect(Date.parse(c.timestamp)).toBeLessThanOrEqual(Date.parse(p.receivedAt));
  });

  it("mostly lands in local working hours, with a few late-night commits", () => {
    const human = nonMerge.filter((c) => c.author?.type === "User");
    const hours = human.map((c) => Number(c.commit.author.date.slice(11, 13)));
    const working = hours.filter((h) => h >= 9 && h < 20).length / hours.length;
    expect(working).toBeGreaterThan(0.85);
    expect(hours.filter((h) => h >= 22 || h < 3).length).toBeGreaterThan(5);
    const weekday = human.filter((c) => ![0, 6].includes(new Date(c.commit.author.date.slice(0, 10)).getUTCDay())).length;
    expect(weekday / human.length).toBeGreaterThan(0.9);
  });
});

/** A line as a blame would see it: which commit wrote it and when. */
interface BlameLine {
  text: string;
  sha: string;
  at: number;
}

/** Applies a GitHub patch to known file contents, failing the test if context or removed lines disagree. */
function applyPatch(before: readonly BlameLine[], patch: string, sha: string, at: number, removed: BlameLine[]): BlameLine[] {
  const out: BlameLine[] = [];
  let cursor = 0;
  for (const line of patch.split("\n")) {
    const header = /^@@ -(\d+),(\d+) \+\d+,\d+ @@/.exec(line);
    if (header) {
      const first = Number(header[2]) === 0 ? Number(header[1]) : Number(header[1]) - 1;
      while (cursor < first) out.push(before[cursor++] as BlameLine);
    } else if (line.startsWith("+")) {
      out.push({ text: line.slice(1), sha, at });
    } else {
      const old = before[cursor++];
      expect(old?.text).toBe(line.slice(1));
      if (line.startsWith(" ")) out.push(old as BlameLine);
      else removed.push(old as BlameLine);
    }
  }
  while (cursor < before.length) out.push(before[cursor++] as BlameLine);
  return out;
}

/**
 * Replays every patch on top of its parent for files created inside the window (the baseline files'
 * earlier contents are not part of the demo). Merges take their lines from the merged branch, like blame.
 */
function replay(ds: DemoDataset) {
  const states = new Map<string, Map<string, BlameLine[]>>();
  const removedAfter: { line: BlameLine; at: number }[] = [];
  let modifiedCreatedFiles = 0;
  for (const c of ds.commits) {
    const at = Date.parse(c.commit.committer.date);
    const parent = states.get(c.parents[0]?.sha ?? "") ?? new Map<string, BlameLine[]>();
    const state = new Map(parent);
    const second = c.parents[1] ? states.get(c.parents[1].sha) : undefined;
    for (const f of c.files) {
      const known = f.status === "added" ? [] : parent.get(f.filename);
      if (!known) continue;
      if (f.status === "modified") modifiedCreatedFiles++;
      const removed: BlameLine[] = [];
      const next = applyPatch(known, f.patch ?? "", c.sha, at, removed);
      const fromBranch = second?.get(f.filename);
      if (fromBranch) {
        expect(fromBranch.map((l) => l.text)).toEqual(next.map((l) => l.text));
        state.set(f.filename, fromBranch);
      } else {
        state.set(f.filename, next);
        for (const line of removed) removedAfter.push({ line, at });
      }
    }
    states.set(c.sha, state);
  }
  return { states, removedAfter, modifiedCreatedFiles };
}

describe("patches as file history", () => {
  const { removedAfter, modifiedCreatedFiles } = replay(dataset);

  it("apply cleanly on their parents, and later commits modify files that earlier ones created", () => {
    expect(modifiedCreatedFiles).toBeGreaterThan(50);
  });

  it("rewrite some AI-written lines within 14 days while others survive", () => {
    const ai = (sha: string) => truth[sha]?.aiAssisted === true;
    const aiAdded = dataset.commits.filter((c) => ai(c.sha)).reduce((s, c) => s + c.stats.additions, 0);
    const churnedAi = removedAfter.filter((r) => ai(r.line.sha) && r.at - r.line.at <= 14 * DAY).length;
    expect(churnedAi).toBeGreaterThan(50);
    expect(churnedAi / aiAdded).toBeLessThan(0.6);
  });
});

describe("pull requests", () => {
  const prEvents = new Map<string, (Of<"pull_request"> | Of<"pull_request_review">)[]>();
  for (const d of dataset.deliveries) {
    if (d.event !== "pull_request" && d.event !== "pull_request_review") continue;
    const key = `${d.payload.repository.full_name}#${d.payload.pull_request.number}`;
    prEvents.set(key, [...(prEvents.get(key) ?? []), d]);
  }

  it("open first, get reviewed after opening, and merge after opening", () => {
    expect(prEvents.size).toBeGreaterThan(150);
    for (const events of prEvents.values()) {
      const first = events[0] as Of<"pull_request">;
      expect(first.event).toBe("pull_request");
      expect(first.payload.action).toBe("opened");
      const opened = Date.parse(first.payload.pull_request.created_at);
      for (const e of events) {
        if (e.event === "pull_request_review") expect(Date.parse(e.payload.review.submitted_at)).toBeGreaterThanOrEqual(opened);
        const pr = e.payload.pull_request;
        if (pr.merged) expect(Date.parse(pr.merged_at ?? "")).toBeGreaterThanOrEqual(opened);
      }
      const closedIndex = events.findIndex((e) => e.event === "pull_request" && e.payload.action === "closed");
      if (closedIndex >= 0) expect(closedIndex).toBe(events.length - 1);
    }
  });

  it("push a merged PR's commits and its merge commit to main", () => {
    const onMain = new Set(mainPushes.flatMap((p) => p.payload.commits.map((c) => c.id)));
    const branchCommits = new Map<string, string[]>();
    for (const p of pushes) {
      const key = `${p.payload.repository.full_name}:${p.payload.ref}`;
      branchCommits.set(key, [...(branchCommits.get(key) ?? []), ...p.payload.commits.map((c) => c.id)]);
    }
    const merged = deliveries(dataset, "pull_request").filter((d) => d.payload.action === "closed" && d.payload.pull_request.merged);
    expect(merged.length).toBeGreaterThan(100);
    for (const d of merged) {
      const pr = d.payload.pull_request;
      expect(onMain.has(pr.merge_commit_sha ?? "")).toBe(true);
      expect(bySha.get(pr.merge_commit_sha ?? "")?.parents.map((p) => p.sha)).toContain(pr.head.sha);
      for (const sha of branchCommits.get(`${d.payload.repository.full_name}:refs/heads/${pr.head.ref}`) ?? []) expect(onMain.has(sha)).toBe(true);
    }
    expect(deliveries(dataset, "pull_request").some((d) => d.payload.action === "closed" && !d.payload.pull_request.merged)).toBe(true);
  });

  it("include some that wait more than three days for a first review, and some still open", () => {
    let hanging = 0;
    let open = 0;
    for (const events of prEvents.values()) {
      const requested = events.find((e) => e.event === "pull_request" && e.payload.action === "review_requested");
      const review = events.find((e) => e.event === "pull_request_review");
      if (requested && review && Date.parse(review.receivedAt) - Date.parse(requested.receivedAt) > 3 * DAY) hanging++;
      const last = events[events.length - 1];
      if (last?.payload.pull_request.state === "open") open++;
    }
    expect(hanging).toBeGreaterThanOrEqual(5);
    expect(open).toBeGreaterThanOrEqual(3);
  });

  it("let the Copilot coding agent open draft PRs from copilot/ branches that start with an Initial plan", () => {
    const copilotPrs = deliveries(dataset, "pull_request").filter((d) => d.payload.action === "opened" && d.payload.pull_request.user.login === "Copilot");
    expect(copilotPrs.length).toBeGreaterThan(3);
    for (const d of copilotPrs) {
      const pr = d.payload.pull_request;
      expect(pr.head.ref).toMatch(/^copilot\//);
      expect(pr.draft).toBe(true);
      const firstPush = pushes.find((p) => p.payload.ref === `refs/heads/${pr.head.ref}` && p.payload.repository.id === d.payload.repository.id);
      expect(firstPush?.payload.commits[0]).toMatchObject({ message: "Initial plan", author: { name: "copilot-swe-agent[bot]" } });
    }
  });
});

describe("deployments and incidents", () => {
  const deploys = deliveries(dataset, "deployment");
  const statuses = deliveries(dataset, "deployment_status");

  it("deploy shas that were already on main, with a status after each deployment", () => {
    const onMainAt = new Map<string, number>();
    for (const p of mainPushes) for (const c of p.payload.commits) if (!onMainAt.has(c.id)) onMainAt.set(c.id, Date.parse(p.receivedAt));
    for (const d of deploys) {
      const pushedAt = onMainAt.get(d.payload.deployment.sha);
      expect(pushedAt).toBeDefined();
      expect(pushedAt ?? Infinity).toBeLessThanOrEqual(Date.parse(d.receivedAt));
      expect(bySha.has(d.payload.deployment.sha)).toBe(true);
    }
    const byDeployment = new Map(statuses.map((s) => [s.payload.deployment.id, s]));
    for (const d of deploys.filter((x) => Date.parse(x.receivedAt) < NOW.getTime() - DAY)) {
      const status = byDeployment.get(d.payload.deployment.id);
      expect(status, `status for deployment ${d.payload.deployment.id}`).toBeDefined();
      expect(Date.parse(status?.receivedAt ?? "")).toBeGreaterThan(Date.parse(d.receivedAt));
    }
    expect(statuses.some((s) => s.payload.deployment_status.state === "failure")).toBe(true);
    expect(share(dataset.commits, () => true)).toBe(1);
  });

  it("ship 2–4 production deployments per repository per week", () => {
    for (const repo of dataset.repositories) {
      const production = deploys.filter((d) => d.payload.repository.id === repo.id && d.payload.deployment.environment === "production");
      const perWeek = production.length / (90 / 7);
      expect(perWeek).toBeGreaterThanOrEqual(1.8);
      expect(perWeek).toBeLessThanOrEqual(4.5);
    }
  });

  it("follow a production deployment that shipped AI-written changes to a critical path", () => {
    expect(dataset.incidents.length).toBeGreaterThanOrEqual(1);
    for (const incident of dataset.incidents) {
      const startedAt = Date.parse(incident.startedAt);
      expect(startedAt).toBeGreaterThanOrEqual(start);
      expect(Date.parse(incident.resolvedAt)).toBeGreaterThan(startedAt);
      expect(Date.parse(incident.resolvedAt)).toBeLessThan(NOW.getTime());
      const deployment = deploys.find((d) => d.payload.deployment.id === incident.deploymentId);
      const success = statuses.find((s) => s.payload.deployment.id === incident.deploymentId && s.payload.deployment_status.state === "success");
      expect(deployment?.payload.deployment.environment).toBe("production");
      expect(Date.parse(success?.receivedAt ?? "")).toBeLessThan(startedAt);
      expect(incident.suspectedCommitShas.length).toBeGreaterThan(0);
      // Every suspect is an ancestor of (or equal to) the deployed sha, and was on main before the deploy.
      const deployedAt = Date.parse(deployment?.receivedAt ?? "");
      const mainBefore = new Set(mainPushes.filter((p) => p.payload.repository.full_name === incident.repoFullName && Date.parse(p.receivedAt) <= deployedAt).flatMap((p) => p.payload.commits.map((c) => c.id)));
      for (const sha of incident.suspectedCommitShas) {
        const commit = bySha.get(sha);
        expect(commit).toBeDefined();
        expect(mainBefore.has(sha)).toBe(true);
        expect(truth[sha]).toMatchObject({ aiAssisted: true, repoFullName: incident.repoFullName });
        expect(commit?.files.some((f) => /\/(payments|auth|crypto)\//.test(f.filename))).toBe(true);
      }
    }
  });
});

describe("AI share", () => {
  it("is about a third of commits and rises across the window", () => {
    const overall = share(nonMerge, (c) => truth[c.sha]?.aiAssisted === true);
    expect(overall).toBeGreaterThan(0.25);
    expect(overall).toBeLessThan(0.45);
    const thirds = [0, 1, 2].map((k) => share(nonMerge.filter((c) => thirdOf(c) === k), (c) => truth[c.sha]?.aiAssisted === true));
    expect((thirds[2] ?? 0) - (thirds[0] ?? 0)).toBeGreaterThan(0.15);
    const markedThirds = [0, 1, 2].map((k) => share(nonMerge.filter((c) => thirdOf(c) === k), isMarked));
    expect((markedThirds[2] ?? 0) - (markedThirds[0] ?? 0)).toBeGreaterThan(0.1);
  });

  it("marks most AI commits with today's tool markers, and never marks a human one", () => {
    const ai = nonMerge.filter((c) => truth[c.sha]?.aiAssisted);
    const human = nonMerge.filter((c) => !truth[c.sha]?.aiAssisted);
    for (const c of human) expect(isMarked(c)).toBe(false);
    for (const c of ai) expect(isMarked(c)).toBe(truth[c.sha]?.marked);
    const marked = share(ai, isMarked);
    expect(marked).toBeGreaterThan(0.6);
    expect(marked).toBeLessThan(0.9);
    const tools = new Set(ai.map((c) => truth[c.sha]?.tool));
    expect([...tools].sort()).toEqual(["claude-code", "codex", "copilot-agent", "cursor", "cursor-agent"]);
  });

  it("leaves tells on unmarked AI commits: long structured messages and larger diffs than humans write", () => {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const unmarked = nonMerge.filter((c) => truth[c.sha]?.aiAssisted && !truth[c.sha]?.marked);
    const human = nonMerge.filter((c) => !truth[c.sha]?.aiAssisted);
    expect(median(unmarked.map((c) => c.commit.message.length))).toBeGreaterThan(4 * median(human.map((c) => c.commit.message.length)));
    expect(median(unmarked.map((c) => c.stats.total))).toBeGreaterThan(median(human.map((c) => c.stats.total)));
    expect(median(human.map((c) => c.commit.message.length))).toBeLessThan(60);
  });

  it("writes AI code as agents do — narrating comments with an aside and a dash — so an unmarked commit can read as AI by style alone; human code never does", () => {
    const narrates = (c: GitHubCommitResponse) => c.files.some((file) => /^\+\s*\/\/ (?:Check|Ensure) [^\n]*(?:\(e\.g\.[^\n]*—|; )/m.test(file.patch ?? ""));
    const unmarked = nonMerge.filter((c) => truth[c.sha]?.aiAssisted && !truth[c.sha]?.marked);
    expect(unmarked.length).toBeGreaterThan(10);
    expect(share(unmarked, narrates)).toBeGreaterThan(0.5);
    expect(nonMerge.filter((c) => !truth[c.sha]?.aiAssisted).some(narrates)).toBe(false);
  });
});

describe("webhook payload shapes", () => {
  it("carry the fields ingestion reads", () => {
    const push = mainPushes[0]?.payload as PushPayload;
    expect(push).toMatchObject({ ref: "refs/heads/main", repository: { full_name: expect.any(String) }, pusher: { name: expect.any(String) }, sender: { login: expect.any(String) } });
    expect(push.head_commit).toMatchObject({ id: push.after, distinct: true, author: { email: expect.any(String) } });
    const opened = deliveries(dataset, "pull_request").find((d) => d.payload.action === "opened")?.payload as PullRequestPayload;
    expect(opened.pull_request).toMatchObject({ state: "open", merged: false, base: { ref: "main" }, head: { sha: expect.stringMatching(/^[0-9a-f]{40}$/) } });
    const synchronize = deliveries(dataset, "pull_request").find((d) => d.payload.action === "synchronize")?.payload;
    expect(synchronize?.after).toBe(synchronize?.pull_request.head.sha);
    const requested = deliveries(dataset, "pull_request").find((d) => d.payload.action === "review_requested")?.payload;
    expect(requested?.requested_reviewer?.login).toBeDefined();
    expect(new Set(deliveries(dataset, "pull_request_review").map((d) => d.payload.review.state))).toEqual(new Set(["approved", "changes_requested", "commented"]));
  });
});

describe("pull request reviews (issue 18, the pull-request lens)", () => {
  const reviews = deliveries(dataset, "pull_request_review");
  const merged = deliveries(dataset, "pull_request").filter((d) => d.payload.action === "closed" && d.payload.pull_request.merged);
  const keyOf = (d: { payload: { repository: { full_name: string }; pull_request: { number: number } } }) => `${d.payload.repository.full_name}#${d.payload.pull_request.number}`;
  const reviewed = new Set(reviews.map(keyOf));

  it("approves some pull requests without a word, and others with one", () => {
    const approvals = reviews.filter((d) => d.payload.review.state === "approved");
    const silent = approvals.filter((d) => !d.payload.review.body);
    expect(silent.length).toBeGreaterThan(10);
    expect(approvals.length - silent.length).toBeGreaterThan(10);
  });

  it("merges some agent-written pull requests without any review, and reviews most of the rest", () => {
    const unreviewed = merged.filter((d) => !reviewed.has(keyOf(d)));
    const aiHeads = unreviewed.filter((d) => truth[d.payload.pull_request.head.sha]?.aiAssisted);
    expect(aiHeads.length).toBeGreaterThanOrEqual(5);
    expect(unreviewed.length).toBeLessThan(merged.length / 3);
  });
});
