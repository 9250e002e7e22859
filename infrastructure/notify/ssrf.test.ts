/**
 * The SSRF guard on tenant-typed URLs, against real local HTTP servers on 127.0.0.1 standing in for "an internal
 * service". Names are answered by an injected resolver, so a test decides what DNS says on each call.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { validateChannelConfig } from "./channels.ts";
import { buildSlackMessage } from "./messages.ts";
import { postSlackWebhook } from "./slack-webhook.ts";
import { checkOutboundUrl, createGuardedFetch, isPrivateAddress, outboundRefusal, type SsrfOptions } from "./ssrf.ts";

describe("private addresses", () => {
  it.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["172.20.0.1", true],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["224.0.0.1", true],
    ["255.255.255.255", true],
    ["::", true],
    ["::1", true],
    ["fe80::1", true],
    ["fd00::1", true],
    ["fd00:ec2::254", true],
    ["ff02::1", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:7f00:1", true],
    ["::ffff:a9fe:a9fe", true],
    ["::127.0.0.1", true],
    ["64:ff9b::a00:1", true],
    ["2002:7f00:1::1", true],
    ["8.8.8.8", false],
    ["::ffff:8.8.8.8", false],
    ["2606:4700::1111", false],
  ])("%s private: %s", (address, expected) => expect(isPrivateAddress(address)).toBe(expected));
});

const resolveTo = (addresses: string[]) => async () => addresses;

describe("the save-time check", () => {
  it("refuses http, credentials, private resolutions and unresolvable hosts; allows public https", async () => {
    expect(await checkOutboundUrl("http://hooks.slack.com/x", { resolve: resolveTo(["1.2.3.4"]) })).toEqual({ ok: false, reason: "must use https" });
    expect((await checkOutboundUrl("https://u:p@hooks.slack.com/x", { resolve: resolveTo(["1.2.3.4"]) })).ok).toBe(false);
    expect(await checkOutboundUrl("https://rebind.example/x", { resolve: resolveTo(["1.2.3.4", "169.254.169.254"]) })).toEqual({
      ok: false,
      reason: "host rebind.example resolves to a private or reserved address (169.254.169.254)",
    });
    expect(await checkOutboundUrl("https://[::1]:8443/x")).toEqual({ ok: false, reason: "address ::1 is private or reserved" });
    expect((await checkOutboundUrl("https://nowhere.invalid/x", { resolve: async () => { throw new Error("ENOTFOUND"); } })).ok).toBe(false);
    expect((await checkOutboundUrl("https://hooks.slack.com/services/T/B/X", { resolve: resolveTo(["3.5.7.9"]) })).ok).toBe(true);
  });

  it("lets the operator's allow-list through (a loopback gateway), on the listed port only when one is given", async () => {
    expect((await checkOutboundUrl("http://127.0.0.1:9999/hook", { allowedHosts: ["127.0.0.1"] })).ok).toBe(true);
    expect((await checkOutboundUrl("http://127.0.0.1:9999/hook", { allowedHosts: ["127.0.0.1:9999"] })).ok).toBe(true);
    expect(await checkOutboundUrl("http://127.0.0.1:22/hook", { allowedHosts: ["127.0.0.1:9999"] })).toEqual({ ok: false, reason: "must use https" });
    expect(await checkOutboundUrl("https://127.0.0.1:22/hook", { allowedHosts: ["127.0.0.1:9999"] })).toEqual({ ok: false, reason: "address 127.0.0.1 is private or reserved" });
  });

  it("accepts a Slack webhook only on Slack's hosts unless NOTIFY_ALLOWED_HOSTS lists the host", async () => {
    const ssrf = { resolve: resolveTo(["52.84.1.10"]) };
    expect(await validateChannelConfig("slack", { webhookUrl: "https://hooks.slack.com/services/T0/B0/X" }, ssrf)).toMatchObject({ ok: true });
    expect(await validateChannelConfig("slack", { webhookUrl: "https://hooks.slack-gov.com/services/T0/B0/X" }, ssrf)).toMatchObject({ ok: true });
    expect(await validateChannelConfig("slack", { webhookUrl: "https://attacker.example/services/T0/B0/X" }, ssrf)).toEqual({
      ok: false,
      fieldErrors: { webhookUrl: "webhook URL must be a Slack incoming-webhook URL on hooks.slack.com or hooks.slack-gov.com, not attacker.example" },
    });
    expect(await validateChannelConfig("slack", { webhookUrl: "https://hooks.internal/x" }, { ...ssrf, allowedHosts: ["hooks.internal"] })).toMatchObject({ ok: true });
  });

  it("checks a Slack webhook URL when the channel is saved", async () => {
    expect(await validateChannelConfig("slack", { webhookUrl: "https://hooks.slack.com/hook" }, { resolve: resolveTo(["10.0.0.5"]) })).toEqual({
      ok: false,
      fieldErrors: { webhookUrl: "webhook URL host hooks.slack.com resolves to a private or reserved address (10.0.0.5)" },
    });
    expect(await validateChannelConfig("slack", { channelId: "C0123456789" })).toMatchObject({ ok: true });
    expect(await validateChannelConfig("pagerduty", { routingKey: "short" })).toMatchObject({ ok: false, fieldErrors: { routingKey: expect.any(String) } });
    expect(await validateChannelConfig("email", { to: ["not-an-address"] })).toMatchObject({ ok: false, fieldErrors: { "to.0": "must be email addresses" } });
  });
});

/** A local HTTP server: counts the TCP connections it accepted and answers each request with `answer`. */
interface LocalServer {
  port: number;
  connections: number;
  requests: { path: string; body: string }[];
  answer: (res: http.ServerResponse) => void;
  close(): Promise<void>;
}

async function startLocalServer(): Promise<LocalServer> {
  const server = http.createServer();
  const local: LocalServer = {
    port: 0,
    connections: 0,
    requests: [],
    answer: (res) => res.writeHead(200, { "content-type": "text/plain" }).end("ok"),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  server.on("connection", () => (local.connections += 1));
  server.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      local.requests.push({ path: req.url ?? "/", body: Buffer.concat(chunks).toString("utf8") });
      local.answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  local.port = (server.address() as AddressInfo).port;
  return local;
}

const post = { method: "POST" as const, headers: { "content-type": "application/json" }, body: "{}" };
const message = buildSlackMessage(
  { alertId: "a1", rule: "test", severity: "info", title: "Test", message: "hello", repoFullName: null, triggeredAt: new Date("2026-03-01T00:00:00Z"), link: null, test: true },
  "channel-1",
);

/** The rejection's SSRF refusal message, or the error itself when it failed for another reason. */
async function refusalOf(request: Promise<unknown>): Promise<string> {
  try {
    await request;
  } catch (error) {
    const refusal = outboundRefusal(error);
    if (refusal) return refusal.message;
    throw error;
  }
  throw new Error("the request was sent");
}

describe("sending through the guarded fetch (real local servers)", () => {
  let internal: LocalServer;
  let other: LocalServer;
  beforeAll(async () => {
    internal = await startLocalServer();
    other = await startLocalServer();
  });
  afterEach(() => {
    for (const server of [internal, other]) {
      server.connections = 0;
      server.requests.length = 0;
      server.answer = (res) => res.writeHead(200).end("ok");
    }
  });
  afterAll(async () => {
    await internal?.close();
    await other?.close();
  });

  it("connects to the address its own lookup checked: a name only the injected resolver knows reaches it, resolved once", async () => {
    let lookups = 0;
    const options: SsrfOptions = {
      allowedHosts: [`fake-hooks.test:${internal.port}`],
      resolve: async () => {
        lookups += 1;
        return ["127.0.0.1"];
      },
    };
    // The system resolver knows no fake-hooks.test: an answer only comes from the connection using the checked address.
    const response = await createGuardedFetch(options)(`http://fake-hooks.test:${internal.port}/hook`, post);
    expect(response.status).toBe(200);
    expect(lookups).toBe(1);
    expect(internal.requests).toEqual([{ path: "/hook", body: "{}" }]);
  });

  it("DNS rebinding: a Slack host that was public when saved and 127.0.0.1 when sent is refused and nothing connects to 127.0.0.1", async () => {
    const answers = [["52.84.1.10"], ["127.0.0.1"]];
    const ssrf: SsrfOptions = { resolve: async () => answers.shift() ?? ["127.0.0.1"] };
    const webhookUrl = `https://hooks.slack.com:${internal.port}/services/T0/B0/X`;
    expect(await validateChannelConfig("slack", { webhookUrl }, ssrf)).toMatchObject({ ok: true });

    const outcome = await postSlackWebhook(webhookUrl, message, { fetch: createGuardedFetch(ssrf), timeoutMs: 2_000 });
    expect(outcome).toEqual({ kind: "permanent", error: "Slack webhook URL refused: host hooks.slack.com resolves to a private or reserved address (127.0.0.1)" });
    expect(answers).toEqual([]);
    expect(internal.connections).toBe(0);
  });

  it("refuses private addresses, literal or resolved, IPv4, IPv6 and IPv4-mapped, with the address named; nothing connects", async () => {
    const strict = createGuardedFetch();
    const port = internal.port;
    expect(await refusalOf(strict(`https://127.0.0.1:${port}/`, post))).toBe("address 127.0.0.1 is private or reserved");
    expect(await refusalOf(strict(`https://2130706433:${port}/`, post))).toBe("address 127.0.0.1 is private or reserved");
    expect(await refusalOf(strict(`https://[::1]:${port}/`, post))).toBe("address ::1 is private or reserved");
    expect(await refusalOf(strict(`https://[::ffff:127.0.0.1]:${port}/`, post))).toBe("address ::ffff:7f00:1 is private or reserved");
    expect(await refusalOf(strict("https://169.254.169.254/latest/meta-data/", post))).toBe("address 169.254.169.254 is private or reserved");
    expect(await refusalOf(strict("https://[fd00:ec2::254]/latest/meta-data/", post))).toBe("address fd00:ec2::254 is private or reserved");
    expect(await refusalOf(strict(`http://hooks.slack.com:${port}/`, post))).toBe("must use https");

    for (const [answer, named] of [
      [["::ffff:127.0.0.1"], "::ffff:127.0.0.1"],
      [["::ffff:7f00:1"], "::ffff:7f00:1"],
      [["::1"], "::1"],
      [["52.84.1.10", "127.0.0.1"], "127.0.0.1"],
    ] as const) {
      const resolving = createGuardedFetch({ resolve: resolveTo([...answer]) });
      expect(await refusalOf(resolving(`https://evil.example:${port}/`, post))).toBe(`host evil.example resolves to a private or reserved address (${named})`);
    }
    expect(internal.connections).toBe(0);
  });

  it("does not follow a redirect to 127.0.0.1: the sender reports the redirect", async () => {
    internal.answer = (res) => res.writeHead(302, { location: `http://127.0.0.1:${other.port}/latest/meta-data/` }).end();
    const options = { allowedHosts: [`127.0.0.1:${internal.port}`] };
    const outcome = await postSlackWebhook(`http://127.0.0.1:${internal.port}/hook`, message, { ...options, fetch: createGuardedFetch(options) });
    expect(outcome).toEqual({ kind: "permanent", error: "Slack webhook answered 302: a redirect, which Sentinel does not follow: the URL must point straight at Slack" });
    expect(internal.requests).toHaveLength(1);
    expect(other.connections).toBe(0);
  });

  it("reports a failure by status and Sentinel's explanation, never the answering server's text", async () => {
    const options = { allowedHosts: [`127.0.0.1:${internal.port}`] };
    const send = () => postSlackWebhook(`http://127.0.0.1:${internal.port}/hook`, message, { ...options, fetch: createGuardedFetch(options) });
    internal.answer = (res) => res.writeHead(500, { "content-type": "text/html" }).end("<h1>SECRET-INTERNAL-PAGE</h1>");
    expect(await send()).toEqual({ kind: "transient", error: "Slack webhook answered 500: a server error on the receiving side" });
    internal.answer = (res) => res.writeHead(404, { "content-type": "text/plain" }).end("no_service SECRET-INTERNAL-PAGE");
    expect(await send()).toEqual({ kind: "permanent", error: "Slack webhook answered 404: the webhook URL is unknown or revoked" });
    // A Slack webhook on a host that is not Slack's is refused at send as well (a channel saved before the rule).
    expect(await postSlackWebhook("https://attacker.example/hook", message, { fetch: createGuardedFetch() })).toEqual({
      kind: "permanent",
      error: "Slack webhook URL refused: it must be a Slack incoming-webhook URL on hooks.slack.com or hooks.slack-gov.com, not attacker.example",
    });
  });
});
