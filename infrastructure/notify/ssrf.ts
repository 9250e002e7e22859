import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * SSRF guard for outbound URLs a user typed (a Slack incoming-webhook URL): only https, and the host must resolve
 * to public addresses only. Private, loopback, link-local (cloud metadata at 169.254.169.254), CGNAT, multicast
 * and reserved ranges are refused unless the host is on an explicit allow-list (NOTIFY_ALLOWED_HOSTS). Base URLs
 * from the environment (SLACK_API_URL, RESEND_BASE_URL, PAGERDUTY_EVENTS_URL) are the operator's and are trusted.
 * Checked on save and again on send: DNS can change in between.
 */

const blocked = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
  ["64:ff9b::", 96],
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family === 6) {
    // IPv4-mapped (::ffff:10.0.0.1) is checked as the IPv4 address it maps to.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, "ipv4");
    return blocked.check(address, "ipv6");
  }
  return true;
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export interface SsrfOptions {
  /** Host names (lower case) allowed even when they resolve to private addresses (NOTIFY_ALLOWED_HOSTS). */
  allowedHosts?: readonly string[];
  /** Tests inject a resolver; the default asks the system resolver for every address. */
  resolve?: (host: string) => Promise<string[]>;
}

const systemResolve = async (host: string) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

export async function checkOutboundUrl(raw: string, options: SsrfOptions = {}): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "is not a valid URL" };
  }
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const allowed = options.allowedHosts?.includes(host) ?? false;
  if (url.protocol !== "https:" && !allowed) return { ok: false, reason: "must use https" };
  if (url.username || url.password) return { ok: false, reason: "must not contain credentials" };
  if (allowed) return { ok: true, url };
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await (options.resolve ?? systemResolve)(host);
    } catch {
      return { ok: false, reason: `host ${host} does not resolve` };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: `host ${host} does not resolve` };
  const bad = addresses.find(isPrivateAddress);
  if (bad) return { ok: false, reason: `host ${host} resolves to a private or reserved address (${bad})` };
  return { ok: true, url };
}
