import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_REDIS_URL } from "../tests/support/config.ts";
import { createTestDatabase, type TestDatabase } from "../tests/support/database.ts";
import { loadCorpusCommits } from "../tests/fixtures/corpus.ts";
import { pushPayload, signDelivery } from "../tests/fixtures/webhooks.ts";
import { freePort, sleep, waitFor } from "../tests/support/queue.ts";

/**
 * Issue 16, finding 6: the web process as production runs it (`npm run start:web`, the compiled build) under a flood of
 * unsigned posts that each declare a 20 MB body, send a few MB of it and hold the connection. Bodies are buffered
 * before their signature can be checked; without a cap on the bytes held for all requests together, the process grows
 * by the flood's size. With the body budget (SENTINEL_WEBHOOK_BUFFER_MB, 64 MiB by default) the posts that do not fit
 * are answered 503 at once, GitHub's deliveries keep being answered, and the process stays under 300 MiB.
 */

const ENTRY = path.resolve("build/server/start-web.js");
const SECRET = "flood-secret";
const MiB = 1024 * 1024;
const FLOOD = 100;
const DECLARED = 20 * MiB;
const DRIBBLED = 3 * MiB;
const CHUNK = 256 * 1024;
const RSS_LIMIT_MIB = 300;

let database: TestDatabase;
let server: ChildProcess | undefined;

beforeAll(async () => {
  if (!existsSync(ENTRY)) throw new Error(`no compiled web server at ${ENTRY}: run \`npm run build\` first`);
  database = await createTestDatabase();
});

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = once(server, "exit");
    server.kill("SIGTERM");
    const timer = setTimeout(() => server?.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await database?.drop();
});

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("VmRSS:"));
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? Number.NaN) / 1024;
}

type FloodOutcome = { status: number; retryAfter?: string } | { error: string } | { holding: true };

/**
 * One post declaring DECLARED bytes, sending DRIBBLED of them a chunk at a time, then holding its connection. A raw
 * socket, not node:http's client: that one stops reading the answer once its own writes fail, so a 503 the server
 * sent just before closing would show up here as EPIPE.
 */
function floodPost(port: number): { outcome: () => FloodOutcome; delivered(): boolean; stop(): void } {
  let outcome: FloodOutcome = { holding: true };
  let answer = "";
  const socket = net.connect(port, "127.0.0.1");
  socket.on("data", (data: Buffer) => {
    answer += data.toString("latin1");
    const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
    if (status && "holding" in outcome) outcome = { status: Number(status[1]), retryAfter: /\r\nretry-after: *(\S+)/i.exec(answer)?.[1] };
  });
  socket.on("error", (error: NodeJS.ErrnoException) => {
    if ("holding" in outcome) outcome = { error: error.code ?? error.message };
  });
  socket.write(
    "POST /api/webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
      `Content-Length: ${DECLARED}\r\nX-GitHub-Event: push\r\nX-GitHub-Delivery: ${randomUUID()}\r\n` +
      // A signature header is what makes the server read the body; this one cannot match.
      `X-Hub-Signature-256: sha256=${"0".repeat(64)}\r\n\r\n`,
  );
  const chunk = Buffer.alloc(CHUNK, 32);
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  // The body starts a moment after the headers: a post refused from its headers then sees its 503 before it writes
  // into a closed connection (which would show here as EPIPE instead).
  const start = setTimeout(() => {
    timer = setInterval(() => {
      if (sent >= DRIBBLED || !("holding" in outcome) || socket.destroyed) return clearInterval(timer);
      socket.write(chunk);
      sent += CHUNK;
    }, 20);
  }, 200);
  return {
    outcome: () => outcome,
    /** Answered, or its few MB have left this process. */
    delivered: () => !("holding" in outcome) || (sent >= DRIBBLED && socket.writableLength === 0),
    stop() {
      clearTimeout(start);
      clearInterval(timer);
      socket.destroy();
    },
  };
}

describe("the web process under a flood of large unsigned webhook bodies", () => {
  it("answers the flood 503 beyond its body budget, still records a signed delivery, and stays under 300 MiB", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [ENTRY], {
      env: {
        ...process.env,
        NODE_ENV: "production",
        SESSION_SECRET: randomBytes(32).toString("hex"),
        DATABASE_URL: database.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: `sentinel-test-flood-${process.pid}`,
        GITHUB_WEBHOOK_SECRET: SECRET,
        HOST: "127.0.0.1",
        PORT: String(port),
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    server = child;
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`the web server exited with ${child.exitCode}: ${stderr}`);
        return fetch(`${base}/healthz`).then((response) => response.ok, () => false);
      },
      { timeoutMs: 30_000, intervalMs: 100, what: "the web server's /healthz" },
    );

    const pid = child.pid!;
    const idle = rssMiB(pid);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 25);
    const flood = Array.from({ length: FLOOD }, () => floodPost(port));
    let signed: { status: number; body: unknown } | undefined;
    const delivery = signDelivery(SECRET, "push", pushPayload({ installationId: 77, owner: { id: 77, login: "flooded" }, repo: { id: 78, full_name: "flooded/app" }, records: loadCorpusCommits(1) }));
    try {
      // The flood at its height: every post was answered or has sent its few MB and holds its connection.
      await waitFor(() => flood.every((post) => post.delivered()), { timeoutMs: 20_000, intervalMs: 50, what: "the flood's bytes sent" });

      const response = await fetch(`${base}/api/webhooks/github`, { method: "POST", headers: delivery.headers, body: delivery.body });
      signed = { status: response.status, body: await response.json() };
      await sleep(500);
    } finally {
      clearInterval(sampler);
      peak = Math.max(peak, rssMiB(pid));
      for (const post of flood) post.stop();
    }

    const outcomes = flood.map((post) => post.outcome());
    const busy = outcomes.filter((outcome) => "status" in outcome && outcome.status === 503);
    const holding = outcomes.filter((outcome) => "holding" in outcome).length;
    process.stdout.write(
      `webhook flood: ${FLOOD} posts declaring ${DECLARED / MiB} MiB and sending ${DRIBBLED / MiB} MiB each; ` +
        `${busy.length} answered 503, ${holding} held open, ${FLOOD - busy.length - holding} otherwise ` +
        `(${JSON.stringify(outcomes.filter((outcome) => !("holding" in outcome) && !("status" in outcome && outcome.status === 503)).slice(0, 3))}); ` +
        `signed delivery answered ${signed?.status}; web RSS idle ${idle.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB\n`,
    );
    expect(signed).toEqual({ status: 202, body: { ok: true, deliveryId: delivery.deliveryId } });
    // 64 MiB, of which large bodies may fill 48: two 20 MiB posts are read, every other one is refused from its headers
    // — the client sees the 503, or a reset when the server closed while its writes were still arriving.
    expect(holding).toBeLessThanOrEqual(2);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.every((outcome) => "retryAfter" in outcome && outcome.retryAfter === "10")).toBe(true);
    const others = outcomes.filter((outcome) => !("holding" in outcome) && !busy.includes(outcome));
    expect(others.every((outcome) => "error" in outcome && ["EPIPE", "ECONNRESET"].includes(outcome.error))).toBe(true);
    expect(peak).toBeLessThan(RSS_LIMIT_MIB);
  }, 60_000);
});
