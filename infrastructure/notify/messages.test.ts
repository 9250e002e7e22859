import { describe, expect, it } from "vitest";
import { alertLink, buildEmailMessage, buildPagerDutyAcknowledge, buildPagerDutyTrigger, buildSlackMessage, escapeSlackText, type AlertMessageInput } from "./messages.ts";

const hostile: AlertMessageInput = {
  alertId: "0b6c1f0e-6d0a-4c43-9a57-0d3f3b1a2e11",
  rule: "incident_ai_attributed",
  severity: "critical",
  title: "Incident in evil/<!channel> & <script>alert(1)</script>",
  message: 'Commit "fix <@U123> & <https://evil.example|click>"\r\nBcc: victim@example.com',
  repoFullName: "evil/<!here>",
  triggeredAt: new Date("2026-03-14T10:00:00Z"),
  link: "https://sentinel.example.com/alerts/0b6c1f0e-6d0a-4c43-9a57-0d3f3b1a2e11",
};

describe("Slack message", () => {
  it("escapes &, < and > so names cannot mention @channel, users or forge links", () => {
    const message = buildSlackMessage(hostile, "chan-1");
    // Slack reads markup only in mrkdwn and the top-level text; the header is plain_text, shown literally.
    const header = message.blocks[0] as { text: { type: string } };
    expect(header.text.type).toBe("plain_text");
    const all = JSON.stringify(message.blocks.slice(1)) + message.text;
    expect(all).not.toContain("<!channel>");
    expect(all).not.toContain("<!here>");
    expect(all).not.toContain("<@U123>");
    expect(all).not.toContain("<https://evil.example|click>");
    expect(message.text).toContain("&lt;!channel&gt; &amp; &lt;script&gt;");
    // Sentinel's own link stays a link.
    expect(message.text).toContain(`<${hostile.link}|Open in Sentinel>`);
    expect(message.metadata).toEqual({ event_type: "sentinel_alert", event_payload: { alert_id: hostile.alertId, channel_id: "chan-1" } });
    expect(escapeSlackText("a&b<c>d")).toBe("a&amp;b&lt;c&gt;d");
  });

  it("drops a link that is not http(s)", () => {
    const message = buildSlackMessage({ ...hostile, link: "javascript:alert(1)" }, "c");
    expect(JSON.stringify(message)).not.toContain("javascript:");
    expect(message.blocks.some((block) => block.type === "actions")).toBe(false);
  });
});

describe("email message", () => {
  it("escapes HTML and keeps the subject on one line (no header injection)", () => {
    const email = buildEmailMessage(hostile);
    expect(email.html).not.toContain("<script>");
    expect(email.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(email.html).toContain("&quot;fix &lt;@U123&gt;");
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.subject).toBe("[Sentinel Critical] Incident in evil/<!channel> & <script>alert(1)</script>");
    expect(email.text).toContain("Repository: evil/<!here>");
    expect(email.html).toContain(`<a href="${hostile.link}">Open in Sentinel</a>`);
  });
});

describe("PagerDuty events", () => {
  it("uses the alert id as dedup_key, maps severity, caps the summary at 1024", () => {
    const event = buildPagerDutyTrigger({ ...hostile, message: "x".repeat(5000) }, "R".repeat(32));
    expect(event).toMatchObject({ event_action: "trigger", dedup_key: hostile.alertId, routing_key: "R".repeat(32) });
    expect(event.payload!.severity).toBe("critical");
    expect(event.payload!.summary.length).toBeLessThanOrEqual(1024);
    expect(event.payload!.summary).not.toMatch(/[\r\n]/);
    expect(buildPagerDutyTrigger({ ...hostile, severity: "info" }, "k").payload!.severity).toBe("info");
    expect(buildPagerDutyAcknowledge(hostile.alertId, "k")).toEqual({ routing_key: "k", event_action: "acknowledge", dedup_key: hostile.alertId });
  });

  it("links to the alert under PUBLIC_URL", () => {
    expect(alertLink("https://s.example.com/base", "a b")).toBe("https://s.example.com/base/alerts/a%20b");
    expect(alertLink(undefined, "x")).toBeNull();
  });
});
