/**
 * Pure message builders, one per channel. Everything that reaches a message from outside Sentinel (repository
 * names, commit messages, incident titles, file paths) is untrusted: it is escaped for the channel's markup, so a
 * repository called `<!channel>` or `<script>` cannot ping a whole workspace or inject HTML.
 */

export type AlertSeverity = "info" | "warning" | "critical";

export interface AlertMessageInput {
  alertId: string;
  rule: string;
  severity: AlertSeverity;
  title: string;
  message: string;
  repoFullName: string | null;
  triggeredAt: Date;
  /** Link to the alert in Sentinel, or null when PUBLIC_URL is not configured. */
  link: string | null;
  /** Set for "send test notification" from the settings page. */
  test?: boolean;
}

/** Slack's own rule: in mrkdwn only &, < and > are control characters. Escaping < also defuses <!channel>, <@U…>. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Headers cannot carry line breaks (header injection); collapse whitespace and cap the length. */
export function singleLine(text: string, max = 200): string {
  const flat = text.replace(/[\r\n\t\v\f\u2028\u2029]+/g, " ").replace(/\s{2,}/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Only http(s) links go into a message: a `javascript:` URL must never become clickable. */
function safeLink(link: string | null): string | null {
  if (!link) return null;
  try {
    const url = new URL(link);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : null;
  } catch {
    return null;
  }
}

export function alertLink(publicUrl: string | undefined, alertId: string): string | null {
  if (!publicUrl) return null;
  return new URL(`alerts/${encodeURIComponent(alertId)}`, publicUrl.endsWith("/") ? publicUrl : `${publicUrl}/`).toString();
}

const SEVERITY_LABEL: Record<AlertSeverity, string> = { info: "Info", warning: "Warning", critical: "Critical" };
const SEVERITY_EMOJI: Record<AlertSeverity, string> = { info: ":information_source:", warning: ":warning:", critical: ":rotating_light:" };

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
  /** Slack message metadata: lets a retry find a message that was accepted before a timeout (posted once). */
  metadata: { event_type: string; event_payload: Record<string, string> };
}

export const SLACK_METADATA_EVENT = "sentinel_alert";

export function buildSlackMessage(alert: AlertMessageInput, channelId: string): SlackMessage {
  const prefix = alert.test ? "[test] " : "";
  const title = escapeSlackText(truncate(singleLine(`${prefix}${alert.title}`, 300), 150));
  const body = escapeSlackText(truncate(alert.message, 2500));
  const link = safeLink(alert.link);
  const context = [`*${SEVERITY_LABEL[alert.severity]}*`, `rule \`${escapeSlackText(alert.rule)}\``];
  if (alert.repoFullName) context.push(`repository *${escapeSlackText(singleLine(alert.repoFullName))}*`);
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: truncate(`${prefix}${singleLine(alert.title, 300)}`, 150), emoji: false } },
    { type: "section", text: { type: "mrkdwn", text: `${SEVERITY_EMOJI[alert.severity]} ${body}` } },
    { type: "context", elements: [{ type: "mrkdwn", text: context.join(" · ") }] },
  ];
  if (link) {
    blocks.push({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: "Open in Sentinel" }, url: link, action_id: "open_alert" }],
    });
  }
  return {
    // The notification text (and the fallback for clients without blocks).
    text: `${title}: ${body}${link ? ` <${link}|Open in Sentinel>` : ""}`,
    blocks,
    metadata: { event_type: SLACK_METADATA_EVENT, event_payload: { alert_id: alert.alertId, channel_id: channelId } },
  };
}

export interface EmailMessage {
  subject: string;
  html: string;
  text: string;
}

export function buildEmailMessage(alert: AlertMessageInput): EmailMessage {
  const prefix = alert.test ? "[test] " : "";
  const subject = singleLine(`${prefix}[Sentinel ${SEVERITY_LABEL[alert.severity]}] ${alert.title}`, 200);
  const link = safeLink(alert.link);
  const repository = alert.repoFullName ? singleLine(alert.repoFullName) : null;
  const text = [
    `${prefix}${alert.title}`,
    "",
    alert.message,
    "",
    `Severity: ${SEVERITY_LABEL[alert.severity]}`,
    `Rule: ${alert.rule}`,
    ...(repository ? [`Repository: ${repository}`] : []),
    `Triggered: ${alert.triggeredAt.toISOString()}`,
    ...(link ? ["", `Open in Sentinel: ${link}`] : []),
  ].join("\n");
  const row = (label: string, value: string) =>
    `<tr><th align="left" style="padding:2px 12px 2px 0">${label}</th><td>${escapeHtml(value)}</td></tr>`;
  const html = [
    "<!doctype html>",
    '<html><body style="font-family:system-ui,sans-serif;color:#111">',
    `<h2 style="margin:0 0 8px">${escapeHtml(`${prefix}${alert.title}`)}</h2>`,
    `<p>${escapeHtml(alert.message)}</p>`,
    "<table>",
    row("Severity", SEVERITY_LABEL[alert.severity]),
    row("Rule", alert.rule),
    ...(repository ? [row("Repository", repository)] : []),
    row("Triggered", alert.triggeredAt.toISOString()),
    "</table>",
    ...(link ? [`<p><a href="${escapeHtml(link)}">Open in Sentinel</a></p>`] : []),
    "</body></html>",
  ].join("\n");
  return { subject, html, text };
}

export type PagerDutySeverity = "critical" | "error" | "warning" | "info";

export const PAGERDUTY_SEVERITY: Record<AlertSeverity, PagerDutySeverity> = { critical: "critical", warning: "warning", info: "info" };

export interface PagerDutyEvent {
  routing_key: string;
  event_action: "trigger" | "acknowledge" | "resolve";
  dedup_key: string;
  payload?: { summary: string; source: string; severity: PagerDutySeverity; timestamp: string; component?: string; class: string; custom_details: Record<string, unknown> };
  client?: string;
  client_url?: string;
  links?: { href: string; text: string }[];
}

/** Events API v2: dedup_key is the alert id (≤ 255), summary ≤ 1024 characters. JSON carries the text: no markup to escape. */
export function buildPagerDutyTrigger(alert: AlertMessageInput, routingKey: string, details: Record<string, unknown> = {}): PagerDutyEvent {
  const link = safeLink(alert.link);
  return {
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key: alert.alertId.slice(0, 255),
    payload: {
      summary: truncate(singleLine(`${alert.test ? "[test] " : ""}${alert.title}: ${alert.message}`, 2000), 1024),
      source: truncate(alert.repoFullName ? singleLine(alert.repoFullName) : "sentinel", 255),
      severity: PAGERDUTY_SEVERITY[alert.severity],
      timestamp: alert.triggeredAt.toISOString(),
      ...(alert.repoFullName ? { component: truncate(singleLine(alert.repoFullName), 255) } : {}),
      class: alert.rule,
      custom_details: { message: alert.message, ...details },
    },
    client: "Sentinel",
    ...(link ? { client_url: link, links: [{ href: link, text: "Open in Sentinel" }] } : {}),
  };
}

export function buildPagerDutyAcknowledge(alertId: string, routingKey: string): PagerDutyEvent {
  return { routing_key: routingKey, event_action: "acknowledge", dedup_key: alertId.slice(0, 255) };
}
