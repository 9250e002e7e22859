/**
 * The input of a harness run and GitHub's side of it: an installation and a stream of signed deliveries built from a
 * seed (pushes of real corpus commits, pull requests and reviews — three in ten with an agent's marker — check runs,
 * deployments with their statuses), sent at a steady rate with a bounded number in flight, and the App's delivery log
 * that GitHub keeps (a failed attempt is logged, never retried by itself; the recovery job asks for redeliveries).
 */
import { createHash, randomUUID } from "node:crypto";
import http from "node:http";
import { mulberry32 } from "../../demo/dataset/random.ts";
import { localClock } from "../../domain/metrics/time.ts";
import { loadCorpusCommits, type GitHubCommitRecord } from "../../tests/fixtures/corpus.ts";
import type { FakeGitHub } from "../../tests/fakes/github.ts";
import {
  deploymentPayload,
  deploymentStatusPayload,
  installationPayload,
  pullRequestPayload,
  pullRequestReviewPayload,
  pushPayload,
  signDelivery,
  type FixtureAccount,
  type FixtureRepository,
} from "../../tests/fixtures/webhooks.ts";
import { sleep } from "../../tests/support/queue.ts";

export interface SignedDelivery {
  deliveryId: string;
  event: string;
  action: string | null;
  body: string;
  headers: Record<string, string>;
  repositoryId: number | null;
}

export interface HarnessInput {
  owner: FixtureAccount;
  installationId: number;
  repos: FixtureRepository[];
  install: SignedDelivery;
  burst: SignedDelivery[];
  /** Every commit GitHub knows (the fake serves them), some never pushed when the burst is cut. */
  commits: GitHubCommitRecord[];
  /** Commits pushed as distinct in the burst: what must end up analysed. */
  pushedCommits: number;
  /** Local days (in the organisation's zone) the history covers. */
  days: { from: string; to: string };
  timeZone: string;
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const MINUTE = 60_000;
/** Commits of a repository are this far apart, so the velocity signal (≤ 15 min) never depends on arrival order. */
const COMMIT_SPACING_MS = 17 * MINUTE;
const AGENT_PR_BODY = "Implements the change.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)";

/**
 * A zone whose local time is now between 00:00 and 00:59, so none of the hourly ticks (daily metrics at 02:00 local,
 * catch-up after it, review queue 09–18, survival on Sunday 03:00) falls due for the organisation during the run: the
 * only metrics and alerts are the ones this script asks for, the same in both runs.
 */
export function quietTimeZone(now: Date): string {
  for (let offset = -12; offset <= 14; offset += 1) {
    // Etc/GMT-N is UTC+N (POSIX signs).
    const zone = offset === 0 ? "Etc/GMT" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
    if (localClock(now, zone).hour === 0) return zone;
  }
  throw new Error("no time zone is at midnight now");
}

export interface InputOptions {
  /** Deliveries after the installation. */
  deliveries: number;
  repos: number;
  /** The same seed builds the same input (delivery ids apart). */
  seed: number;
  /** The webhook secret they are signed with. */
  secret: string;
}

/** One installation of `repos` repositories, then `deliveries` deliveries: repositories take turns, episode by episode. */
export function buildInput(now: Date, { deliveries: deliveryCount, repos: repoCount, seed, secret }: InputOptions): HarnessInput {
  const random = mulberry32(seed);
  const corpus = loadCorpusCommits();
  const owner: FixtureAccount = { id: 90_900, login: "chaos-org" };
  const installationId = 90_901;
  const repos: FixtureRepository[] = Array.from({ length: repoCount }, (_, index) => ({
    id: 90_910 + index,
    full_name: `chaos-org/service-${index + 1}`,
    default_branch: "main",
  }));
  const reviewer: FixtureAccount = { id: 90_950, login: "chaos-reviewer", type: "User" };
  const sign = (event: string, payload: object): SignedDelivery => {
    const signed = signDelivery(secret, event, payload, randomUUID());
    const fields = payload as { action?: string; repository?: { id: number } };
    return { deliveryId: signed.deliveryId, event, action: fields.action ?? null, body: signed.body, headers: signed.headers, repositoryId: fields.repository?.id ?? null };
  };
  const install = sign("installation", installationPayload("created", installationId, owner, repos));

  // About 7.5 deliveries per pull request and at most 2 commits each: enough episodes for the burst, cut at deliveryCount.
  const episodesPerRepo = Math.ceil(deliveryCount / 7 / repoCount) + 1;
  const commitsPerRepo = episodesPerRepo * 2;
  const historyStart = now.getTime() - 2 * 86_400_000 - commitsPerRepo * COMMIT_SPACING_MS;
  const commits: GitHubCommitRecord[] = [];
  const episodes: SignedDelivery[][][] = repos.map(() => []);
  const distinctCommitsOf = new Map<SignedDelivery, number>();

  repos.forEach((repo, repoIndex) => {
    const history: GitHubCommitRecord[] = [];
    for (let index = 0; index < commitsPerRepo; index += 1) {
      const source = corpus[(repoIndex * 997 + index) % corpus.length]!;
      const date = iso(historyStart + index * COMMIT_SPACING_MS);
      const sha = sha1(`chaos-${seed}-${repo.id}-${index}`);
      history.push({
        ...source,
        sha,
        parents: [{ sha: index === 0 ? sha1(`chaos-${seed}-${repo.id}-root`) : history[index - 1]!.sha }],
        commit: { ...source.commit, author: { ...source.commit.author, date }, committer: { ...source.commit.committer, date } },
      });
    }
    commits.push(...history);
    let next = 0;
    let mainHead = history[0]!.parents[0]!.sha;
    for (let number = 1; next < history.length; number += 1) {
      const size = Math.min(history.length - next, random() < 0.5 ? 1 : 2);
      const group = history.slice(next, next + size);
      next += size;
      const last = Date.parse(group.at(-1)!.commit.author.date);
      const branch = `feature/${number}`;
      const head = group.at(-1)!.sha;
      const at = (minutes: number) => iso(last + minutes * MINUTE);
      // Three in ten pull requests carry an agent's marker in their body, which every PR delivery repeats.
      const agentWritten = random() < 0.3;
      const common = { installationId, owner, repo, number, headRef: branch, headSha: head, createdAt: at(2), ...(agentWritten ? { body: AGENT_PR_BODY } : {}) };
      const mergeSha = sha1(`chaos-${seed}-${repo.id}-merge-${number}`);
      const episode: SignedDelivery[] = [];
      const featurePush = sign("push", pushPayload({ installationId, owner, repo, records: group, branch }));
      distinctCommitsOf.set(featurePush, group.length);
      episode.push(featurePush);
      episode.push(sign("pull_request", pullRequestPayload({ ...common, action: "opened", updatedAt: at(2) })));
      episode.push(
        sign("check_run", {
          action: "completed",
          check_run: { id: repo.id * 100_000 + number, head_sha: head, status: "completed", conclusion: "success" },
          repository: { id: repo.id, full_name: repo.full_name },
          installation: { id: installationId },
        }),
      );
      episode.push(sign("pull_request_review", pullRequestReviewPayload({ ...common, reviewId: repo.id * 100_000 + number, reviewer, submittedAt: at(5) })));
      episode.push(
        sign("pull_request", pullRequestPayload({ ...common, action: "closed", merged: true, updatedAt: at(8), mergeCommitSha: mergeSha })),
      );
      // The merge reaches main: GitHub lists the branch's commits again, as not distinct (already recorded).
      const mainPush = pushPayload({ installationId, owner, repo, records: group, branch: "main", before: mainHead });
      mainPush.commits = mainPush.commits.map((commit) => ({ ...commit, distinct: false }));
      mainPush.after = mergeSha;
      mainHead = mergeSha;
      episode.push(sign("push", mainPush));
      if (number % 2 === 0) {
        // Deployments of the merge commit: production, so they count in the DORA metrics. Its sha is not a recorded
        // commit, so `high_risk_deployed` finds no files and the alerts do not depend on analysis timing.
        const deployment = { installationId, owner, repo, deploymentId: repo.id * 100_000 + number, sha: mergeSha, createdAt: at(9) };
        const status = (offset: number, state: "in_progress" | "success" | "failure", minutes: number) =>
          sign("deployment_status", deploymentStatusPayload({ ...deployment, statusId: deployment.deploymentId * 10 + offset, state, at: at(minutes) }));
        episode.push(sign("deployment", deploymentPayload(deployment)));
        episode.push(status(1, "in_progress", 10));
        episode.push(status(2, random() < 0.15 ? "failure" : "success", 12));
      }
      episodes[repoIndex]!.push(episode);
    }
  });

  // Repositories take turns, episode by episode: a plausible interleaving of three busy repositories.
  const burst: SignedDelivery[] = [];
  for (let index = 0; burst.length < deliveryCount; index += 1) {
    let added = false;
    for (const repoEpisodes of episodes) {
      const episode = repoEpisodes[index];
      if (!episode) continue;
      added = true;
      burst.push(...episode);
    }
    if (!added) throw new Error("input generator: not enough episodes for --deliveries");
  }
  burst.length = deliveryCount;
  const pushedCommits = burst.reduce((total, delivery) => total + (distinctCommitsOf.get(delivery) ?? 0), 0);

  const timeZone = quietTimeZone(now);
  const lastCommit = Math.max(...commits.map((record) => Date.parse(record.commit.author.date)));
  return {
    owner,
    installationId,
    repos,
    install,
    burst,
    commits,
    pushedCommits,
    days: { from: localClock(new Date(historyStart), timeZone).date, to: localClock(new Date(lastCommit + 60 * MINUTE), timeZone).date },
    timeZone,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// GitHub's side: sends deliveries, keeps the App's delivery log, redelivers when asked.

export interface SenderStats {
  attempts: number;
  answered2xx: number;
  refused: number;
  connectionFailures: number;
  redeliveries: number;
}

export interface GitHubSideOptions {
  /** Requests in flight at most (sockets of the keep-alive agent). */
  concurrency: number;
  installationId: number;
  /** Sees every attempt: its status (0: no answer) and how long the answer took. */
  onAnswer?: (status: number, milliseconds: number) => void;
}

export type GitHubSide = ReturnType<typeof createGitHubSide>;

/** Sends deliveries to the web server on `port()`, logs each attempt in the fake's delivery log, redelivers when asked. */
export function createGitHubSide(fake: FakeGitHub, port: () => number, options: GitHubSideOptions) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const byId = new Map<string, SignedDelivery>();
  const answered2xx = new Set<string>();
  const stats: SenderStats = { attempts: 0, answered2xx: 0, refused: 0, connectionFailures: 0, redeliveries: 0 };
  const pending = new Set<Promise<void>>();

  function post(delivery: SignedDelivery): Promise<number> {
    return new Promise((resolve) => {
      const request = http.request(
        {
          host: "127.0.0.1",
          port: port(),
          path: "/api/webhooks/github",
          method: "POST",
          agent,
          headers: { ...delivery.headers, "content-length": String(Buffer.byteLength(delivery.body)) },
          // GitHub waits 10 s for an answer.
          timeout: 10_000,
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
          response.on("error", () => resolve(0));
        },
      );
      request.on("timeout", () => request.destroy(new Error("timed out")));
      request.on("error", () => resolve(0));
      request.end(delivery.body);
    });
  }

  async function deliver(delivery: SignedDelivery, redelivery: boolean): Promise<number> {
    byId.set(delivery.deliveryId, delivery);
    const sentAt = performance.now();
    const status = await post(delivery);
    options.onAnswer?.(status, performance.now() - sentAt);
    stats.attempts += 1;
    if (redelivery) stats.redeliveries += 1;
    if (status >= 200 && status < 300) {
      stats.answered2xx += 1;
      answered2xx.add(delivery.deliveryId);
    } else if (status === 0) stats.connectionFailures += 1;
    else stats.refused += 1;
    fake.recordHookDelivery({
      guid: delivery.deliveryId,
      redelivery,
      status_code: status,
      ...(status === 0 ? { status: "failed to connect to host" } : {}),
      event: delivery.event,
      action: delivery.action,
      installation_id: options.installationId,
      repository_id: delivery.repositoryId,
    });
    return status;
  }

  fake.onRedeliver = (logged) => {
    const delivery = byId.get(logged.guid);
    if (!delivery) return;
    const sending = deliver(delivery, true).then(() => undefined);
    pending.add(sending);
    void sending.finally(() => pending.delete(sending));
  };

  return {
    stats,
    answered2xx,
    deliver,
    /** Redeliveries asked for and still in flight. */
    async settled(): Promise<void> {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close() {
      agent.destroy();
    },
  };
}

/**
 * Sends `deliveries` at `rate` per second with at most `concurrency` in flight; `onProgress` sees each one sent.
 * With `stopAt` (a Date.now() time) no delivery is started after it. Resolves with the seconds taken and the count sent.
 */
export async function sendAtRate(
  side: GitHubSide,
  deliveries: SignedDelivery[],
  options: { rate: number; concurrency: number; onProgress?: (sent: number) => void; stopAt?: number },
): Promise<{ seconds: number; sent: number }> {
  const started = performance.now();
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const running = new Set<Promise<unknown>>();
  let sent = 0;
  for (let index = 0; index < deliveries.length; index += 1) {
    const due = started + (index / options.rate) * 1000;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    while (inFlight >= options.concurrency) await new Promise<void>((resolve) => (wake = resolve));
    if (options.stopAt !== undefined && Date.now() >= options.stopAt) break;
    inFlight += 1;
    const sending = side.deliver(deliveries[index]!, false).finally(() => {
      inFlight -= 1;
      running.delete(sending);
      wake?.();
      wake = undefined;
    });
    running.add(sending);
    sent = index + 1;
    options.onProgress?.(sent);
  }
  await Promise.all([...running]);
  return { seconds: (performance.now() - started) / 1000, sent };
}
