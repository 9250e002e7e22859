import { describe, expect, it } from "vitest";
import { buildWeeklyDigest, digestWeekStarting, type DigestNumbers } from "../../domain/digest/digest.ts";
import { buildDigestEmailMessage, buildDigestSlackMessage, digestLinkUrl, digestMessageKey } from "./digest-messages.ts";

const numbers: DigestNumbers = {
  organization: { name: "Acme <!channel>" },
  week: digestWeekStarting("2026-11-30"),
  share: { aiLines: 30, lines: 100, commits: 3 },
  previousShare: { aiLines: 0, lines: 0, commits: 0 },
  tools: [{ tool: "Claude Code", commits: 2, writtenLines: 30 }],
  riskyFiles: [{ repoId: "r1", repoFullName: "acme/<script>", path: "src/<b>auth</b>.ts & co", riskTier: 4, aiLinesAdded: 12 }],
  riskyFileCount: 1,
  incidents: { started: 0, aiAttributed: 0 },
  unreviewedAiMerges: { merged: 1, aiHighRiskMerged: 1, unreviewed: 1, pullRequests: [{ repoId: "r1", repoFullName: "acme/<script>", number: 3, title: "<@U123> ping" }] },
};

describe("digest messages", () => {
  const digest = buildWeeklyDigest(numbers);

  it("Slack: blocks and a text fallback, untrusted text escaped, the send-once key in the metadata", () => {
    const message = buildDigestSlackMessage(digest, { publicUrl: "https://sentinel.example/", channelId: "ch1" });
    // The header is plain_text, which Slack never parses for mentions; everything in mrkdwn is escaped.
    const all = JSON.stringify({ text: message.text, blocks: message.blocks.slice(1) });
    expect(all).not.toContain("<!channel>");
    expect(all).not.toContain("<@U123>");
    expect(all).not.toContain("<script>");
    expect(all).toContain("&lt;@U123&gt; ping");
    expect(message.text).toContain("Sentinel weekly digest · Acme &lt;!channel&gt; · 30 Nov – 6 Dec 2026");
    expect(message.text).toContain("<https://sentinel.example/dashboard|Open Sentinel>");
    expect(message.blocks).toHaveLength(2 + digest.sections.length);
    expect(message.metadata.event_payload).toEqual({ alert_id: digestMessageKey("ch1", "2026-11-30"), channel_id: "ch1" });
  });

  it("email: HTML escaped, a text part, a one-line subject; no links without PUBLIC_URL", () => {
    const message = buildDigestEmailMessage(digest, { publicUrl: undefined });
    expect(message.subject).toBe("Sentinel weekly digest · Acme <!channel> · 30 Nov – 6 Dec 2026");
    expect(message.html).not.toContain("<script>");
    expect(message.html).toContain("src/&lt;b&gt;auth&lt;/b&gt;.ts &amp; co");
    expect(message.html).not.toContain("href");
    expect(message.text).toContain("T4 acme/<script>: src/<b>auth</b>.ts & co (12 AI-written lines)");
  });

  it("links only to the configured server", () => {
    expect(digestLinkUrl("https://sentinel.example/base", { label: "x", path: "/repos/r1" })).toBe("https://sentinel.example/base/repos/r1");
    expect(digestLinkUrl("https://sentinel.example", { label: "x", path: "//evil.example/x" })).toBe("https://sentinel.example/evil.example/x");
    expect(digestLinkUrl(undefined, { label: "x", path: "/dashboard" })).toBeNull();
  });
});
