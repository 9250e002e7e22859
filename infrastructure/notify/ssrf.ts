import { lookup as systemLookup } from "node:dns/promises";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { Agent, fetch as undiciFetch, type Response } from "undici";

/**
 * SSRF guard for outbound URLs a tenant typed (a Slack incoming-webhook URL): only https, no credentials, and every
 * address the host resolves to must be public. Private, loopback, link-local (cloud metadata at 169.254.169.254,
 * fd00:ec2::254), CGNAT, multicast, unspecified and reserved ranges are refused, in IPv4, IPv6 and the IPv6 forms
 * that carry an IPv4 address (::ffff:127.0.0.1, 6to4, NAT64). Hosts on the operator's allow-list
 * (NOTIFY_ALLOWED_HOSTS: `host` or `host:port`) skip the address check and may use http (a local gateway, the tests'
 * fakes). Base URLs from the environment (SLACK_API_URL, RESEND_BASE_URL, PAGERDUTY_EVENTS_URL) are the operator's
 * and do not pass through here.
 *
 * Checked when the channel is saved and again when sending. On send the check sits in the socket's own DNS lookup
 * (`guardedFetch`): the name is resolved once, the answers are checked, and the socket connects to exactly those
 * addresses. A separate check followed by `fetch` would resolve twice, and a DNS answer that changed in between
 * (DNS rebinding) would reach an internal address. Redirects are never followed.
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
  ["192.88.99.0", 24],
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
  // Unspecified, loopback and the deprecated IPv4-compatible form (::127.0.0.1).
  ["::", 96],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  // Teredo and benchmarking / ORCHID / documentation space.
  ["2001::", 23],
  ["2001:db8::", 32],
  // 6to4 embeds any IPv4 address, private ones included.
  ["2002::", 16],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

/** True for every address that is not plainly public; IPv4-mapped IPv6 (::ffff:10.0.0.1) is checked as its IPv4. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  // BlockList checks IPv4-mapped IPv6 addresses, in dotted or hex form, against the IPv4 rules.
  if (family === 4) return blocked.check(address, "ipv4");
  if (family === 6) return blocked.check(address, "ipv6");
  return true;
}

export interface SsrfOptions {
  /** NOTIFY_ALLOWED_HOSTS: `host` (any port) or `host:port`, lower case; IPv6 in brackets (`[fd00::1]:8443`). */
  allowedHosts?: readonly string[];
  /** Tests inject a resolver; the default asks the system resolver for every address. */
  resolve?: (host: string) => Promise<string[]>;
}

const systemResolve = async (host: string) => (await systemLookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** The host as the URL parser normalised it (2130706433 → 127.0.0.1, [::ffff:127.0.0.1] → ::ffff:7f00:1), no brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
}

function defaultPort(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : url.protocol === "http:" ? "80" : "");
}

/** An allow-list entry read the way the URL parser reads a host, so `127.0.0.1`, `[::1]:8080` and `Hooks.Internal` compare as URLs do. */
export function parseAllowedHost(entry: string): { host: string; port: string | null } | null {
  const match = /^(\[[^\]]+\]|[^:[\]/\s]+)(?::(\d{1,5}))?$/.exec(entry.trim());
  if (!match) return null;
  try {
    const url = new URL(`http://${match[1]}`);
    return { host: hostOf(url), port: match[2] ?? null };
  } catch {
    return null;
  }
}

function allowListed(url: URL, allowedHosts: readonly string[] | undefined): boolean {
  const host = hostOf(url);
  const port = defaultPort(url);
  return (allowedHosts ?? []).some((entry) => {
    const allowed = parseAllowedHost(entry);
    return allowed !== null && allowed.host === host && (allowed.port === null || allowed.port === port);
  });
}

export type UrlCheck = { ok: true; url: URL; allowListed: boolean } | { ok: false; reason: string };

const privateReason = (host: string, address: string) =>
  host === address ? `address ${address} is private or reserved` : `host ${host} resolves to a private or reserved address (${address})`;

/**
 * What can be checked without DNS: a URL, https (or allow-listed), no credentials, and a literal IP address that is
 * public. The host name's addresses are checked by `checkOutboundUrl` (save) and `guardedFetch` (send).
 */
export function checkUrlShape(raw: string | URL, options: SsrfOptions = {}): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "is not a valid URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "must use https" };
  const allowed = allowListed(url, options.allowedHosts);
  if (url.protocol !== "https:" && !allowed) return { ok: false, reason: "must use https" };
  if (url.username || url.password) return { ok: false, reason: "must not contain credentials" };
  const host = hostOf(url);
  if (!allowed && isIP(host) && isPrivateAddress(host)) return { ok: false, reason: privateReason(host, host) };
  return { ok: true, url, allowListed: allowed };
}

/** The save-time check: the shape, then every address the host resolves to now. */
export async function checkOutboundUrl(raw: string, options: SsrfOptions = {}): Promise<UrlCheck> {
  const shape = checkUrlShape(raw, options);
  if (!shape.ok || shape.allowListed) return shape;
  const host = hostOf(shape.url);
  if (isIP(host)) return shape;
  const resolved = await resolveChecked(host, options.resolve, { allowPrivate: false });
  return resolved.ok ? shape : resolved;
}

async function resolveChecked(
  host: string,
  resolve: SsrfOptions["resolve"],
  { allowPrivate }: { allowPrivate: boolean },
): Promise<{ ok: true; addresses: string[] } | { ok: false; reason: string }> {
  let addresses: string[];
  try {
    addresses = await (resolve ?? systemResolve)(host);
  } catch {
    return { ok: false, reason: `host ${host} does not resolve` };
  }
  if (addresses.length === 0) return { ok: false, reason: `host ${host} does not resolve` };
  // One private answer is enough to refuse: the socket may pick any of them.
  const bad = addresses.find(isPrivateAddress);
  if (bad && !allowPrivate) return { ok: false, reason: privateReason(host, bad) };
  return { ok: true, addresses };
}

/** Raised inside the socket's lookup; `fetch` reports it as the cause of its "fetch failed". */
export class OutboundRefusedError extends Error {
  override readonly name = "OutboundRefusedError";
  readonly code = "SENTINEL_OUTBOUND_REFUSED";
}

/** The refusal behind a failed `guardedFetch`, if that is why it failed. */
export function outboundRefusal(error: unknown): OutboundRefusedError | null {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    if (current instanceof OutboundRefusedError) return current;
  }
  return null;
}

/**
 * A `lookup` for `net.connect`: resolves the name once, refuses private answers (unless `allowPrivate`, for a
 * request to an allow-listed host:port) and hands the checked addresses to the socket, which connects to nothing else.
 */
export function createGuardedLookup(resolve: SsrfOptions["resolve"], allowPrivate = false): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
    resolveChecked(host, resolve, { allowPrivate }).then(
      (result) => {
        if (!result.ok) return callback(new OutboundRefusedError(result.reason), "", 0);
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const entries = result.addresses.map((address) => ({ address, family: isIP(address) })).filter((entry) => wanted === 0 || entry.family === wanted);
        if (entries.length === 0) return callback(new OutboundRefusedError(`host ${host} has no IPv${wanted} address`), "", 0);
        if (lookupOptions.all) return callback(null, entries);
        callback(null, entries[0]!.address, entries[0]!.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, "", 0),
    );
  };
}

export interface GuardedRequest {
  method: "POST";
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal;
}

/**
 * fetch for tenant-supplied URLs: the shape is checked, the socket connects only to addresses its own lookup
 * checked, and a redirect comes back as the 3xx response (never followed). A refusal rejects with an error whose
 * `outboundRefusal` is set.
 */
export type GuardedFetch = (url: string | URL, init: GuardedRequest) => Promise<Response>;

export function createGuardedFetch(options: SsrfOptions = {}): GuardedFetch {
  // The lookup cannot see the port, so an allow-listed host:port gets its own pool; every other request is strict.
  const strict = new Agent({ connect: { lookup: createGuardedLookup(options.resolve) } });
  const allowListedPool = new Agent({ connect: { lookup: createGuardedLookup(options.resolve, true) } });
  return async (url, init) => {
    const shape = checkUrlShape(url, options);
    if (!shape.ok) throw new OutboundRefusedError(shape.reason);
    return undiciFetch(shape.url, { ...init, redirect: "manual", dispatcher: shape.allowListed ? allowListedPool : strict });
  };
}
