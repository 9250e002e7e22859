import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Local stand-ins for Slack's Web API, Resend and PagerDuty's Events API v2 (node:http, loopback only) for tests
 * and dev. They keep what a real service would keep — Slack messages with their metadata, emails deduplicated by
 * Idempotency-Key as Resend does for 24 h, PagerDuty events — and let a test script failures per route.
 */

export type FakeRoute = "slack.postMessage" | "slack.history" | "resend.emails" | "pagerduty.enqueue";

export type InjectedBehaviour =
  /** Answer with this status (and headers/body) without doing the work. */
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: unknown }
  /** Do the work (the message is posted / the email kept), then never answer: a timeout after acceptance. */
  | { kind: "accept-then-hang" }
  /** Slack-style platform error: HTTP 200 with ok: false. */
  | { kind: "slack-error"; error: string };

export interface SlackPost {
  channel: string;
  text: string;
  blocks: unknown;
  metadata: { event_type?: string; event_payload?: Record<string, unknown> } | null;
  ts: string;
}

export interface ResendEmail {
  id: string;
  idempotencyKey: string | null;
  body: Record<string, unknown>;
}

export interface FakeChannels {
  slackApiUrl: string;
  resendBaseUrl: string;
  pagerDutyEventsUrl: string;
  slack: { posts: SlackPost[] };
  resend: { emails: ResendEmail[]; requests: { idempotencyKey: string | null; at: number }[] };
  pagerDuty: { events: Record<string, unknown>[]; requests: { dedupKey: string | null; action: string | null; status: number }[] };
  requests: { route: FakeRoute; at: number; status: number | "hung" }[];
  /** The next `times` requests to `route` behave like this; then the route works again. */
  inject(route: FakeRoute, behaviour: InjectedBehaviour, times?: number): void;
  /** Every request to `route` behaves like this until `clear(route)`: an outage. */
  outage(route: FakeRoute, behaviour: InjectedBehaviour): void;
  clear(route?: FakeRoute): void;
  close(): Promise<void>;
}

const ROUTES: Record<string, FakeRoute> = {
  "/slack/api/chat.postMessage": "slack.postMessage",
  "/slack/api/conversations.history": "slack.history",
  "/resend/emails": "resend.emails",
  "/pagerduty/v2/enqueue": "pagerduty.enqueue",
};

function parseSlackBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes("application/json")) return JSON.parse(raw) as Record<string, unknown>;
  const form = new URLSearchParams(raw);
  const body: Record<string, unknown> = {};
  for (const [key, value] of form) {
    // The SDK sends objects (blocks, metadata) as JSON strings inside the form.
    body[key] = /^[[{]/.test(value) ? (() => { try { return JSON.parse(value) as unknown; } catch { return value; } })() : value;
  }
  return body;
}

/** `port` 0 (the default) picks a free one; the e2e run gives a fixed one, since the server is configured before it starts. */
export async function startFakeChannels(options: { port?: number } = {}): Promise<FakeChannels> {
  const once = new Map<FakeRoute, { behaviour: InjectedBehaviour; remaining: number }[]>();
  const outages = new Map<FakeRoute, InjectedBehaviour>();
  const hung = new Set<http.ServerResponse>();
  let tsCounter = 0;
  let emailCounter = 0;
  const state: Omit<FakeChannels, "slackApiUrl" | "resendBaseUrl" | "pagerDutyEventsUrl" | "inject" | "outage" | "clear" | "close"> = {
    slack: { posts: [] },
    resend: { emails: [], requests: [] },
    pagerDuty: { events: [], requests: [] },
    requests: [],
  };

  function nextBehaviour(route: FakeRoute): InjectedBehaviour | null {
    const outage = outages.get(route);
    if (outage) return outage;
    const queue = once.get(route);
    const head = queue?.[0];
    if (!head) return null;
    head.remaining -= 1;
    if (head.remaining <= 0) queue!.shift();
    return head.behaviour;
  }

  function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  }

  /** The work each route does when it is allowed to: returns the successful answer. */
  function perform(route: FakeRoute, body: Record<string, unknown>, req: http.IncomingMessage): { status: number; body: unknown } {
    switch (route) {
      case "slack.postMessage": {
        tsCounter += 1;
        // Like Slack's: the epoch seconds of posting, a unique fraction (history's `oldest` compares against it).
        const ts = `${Math.floor(Date.now() / 1000)}.${String(tsCounter).padStart(6, "0")}`;
        state.slack.posts.push({
          channel: String(body.channel),
          text: String(body.text ?? ""),
          blocks: body.blocks ?? null,
          metadata: (body.metadata as SlackPost["metadata"]) ?? null,
          ts,
        });
        return { status: 200, body: { ok: true, channel: body.channel, ts } };
      }
      case "slack.history": {
        const oldest = Number(body.oldest ?? 0);
        const messages = state.slack.posts
          .filter((post) => post.channel === body.channel && Number(post.ts) >= oldest)
          .reverse()
          .map((post) => ({ type: "message", ts: post.ts, text: post.text, ...(body.include_all_metadata && post.metadata ? { metadata: post.metadata } : {}) }));
        return { status: 200, body: { ok: true, messages, has_more: false } };
      }
      case "resend.emails": {
        const key = (req.headers["idempotency-key"] as string | undefined) ?? null;
        const existing = key ? state.resend.emails.find((email) => email.idempotencyKey === key) : undefined;
        if (existing) return { status: 200, body: { id: existing.id } };
        emailCounter += 1;
        const id = `email-${emailCounter}`;
        state.resend.emails.push({ id, idempotencyKey: key, body });
        return { status: 200, body: { id } };
      }
      case "pagerduty.enqueue": {
        state.pagerDuty.events.push(body);
        return { status: 202, body: { status: "success", message: "Event processed", dedup_key: body.dedup_key } };
      }
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0]!;
      const route = ROUTES[path];
      if (!route || req.method !== "POST") return send(res, 404, { message: "not found" });
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: Record<string, unknown>;
      try {
        body = route.startsWith("slack.") ? parseSlackBody(raw, req.headers["content-type"]) : (JSON.parse(raw || "{}") as Record<string, unknown>);
      } catch {
        return send(res, 400, { message: "invalid JSON" });
      }
      const behaviour = nextBehaviour(route);
      const record = (status: number | "hung") => {
        state.requests.push({ route, at: Date.now(), status });
        if (route === "resend.emails") state.resend.requests.push({ idempotencyKey: (req.headers["idempotency-key"] as string | undefined) ?? null, at: Date.now() });
        if (route === "pagerduty.enqueue") {
          state.pagerDuty.requests.push({
            dedupKey: typeof body.dedup_key === "string" ? body.dedup_key : null,
            action: typeof body.event_action === "string" ? body.event_action : null,
            status: status === "hung" ? 0 : status,
          });
        }
      };
      if (behaviour?.kind === "status") {
        record(behaviour.status);
        return send(res, behaviour.status, behaviour.body ?? { message: `injected ${behaviour.status}` }, behaviour.headers);
      }
      if (behaviour?.kind === "slack-error") {
        record(200);
        return send(res, 200, { ok: false, error: behaviour.error });
      }
      const result = perform(route, body, req);
      if (behaviour?.kind === "accept-then-hang") {
        record("hung");
        hung.add(res);
        return;
      }
      record(result.status);
      send(res, result.status, result.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    ...state,
    slackApiUrl: `${base}/slack/api/`,
    resendBaseUrl: `${base}/resend`,
    pagerDutyEventsUrl: `${base}/pagerduty/v2/enqueue`,
    inject(route, behaviour, times = 1) {
      const queue = once.get(route) ?? [];
      queue.push({ behaviour, remaining: times });
      once.set(route, queue);
    },
    outage(route, behaviour) {
      outages.set(route, behaviour);
    },
    clear(route) {
      if (route) {
        once.delete(route);
        outages.delete(route);
      } else {
        once.clear();
        outages.clear();
      }
    },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
