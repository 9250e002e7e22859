/**
 * GitHub refusing Sentinel for a reason that waiting does not fix: the App lacks a permission, the organisation
 * enforces SAML or an IP allow list, the installation is suspended or gone, the repository is not visible to it.
 * Retrying such a job only burns requests (a 403 used to be taken for a rate limit and retried forever), so the
 * job fails at once with a reason a person can act on, and the repository records it.
 */

type Headers = Record<string, string | number | undefined>;

export class GitHubAccessError extends Error {
  override readonly name = "GitHubAccessError";

  constructor(
    /** What a person reads: what GitHub refused and what to do about it. */
    readonly reason: string,
    /** The repository refused ("owner/name"); null for the App's own calls. */
    readonly repository: string | null,
    readonly status: number,
    /** When GitHub answered (the client's clock). */
    readonly at: Date,
  ) {
    super(reason);
  }
}

/** GitHub's answer to one request, as much of it as explains a refusal. */
export interface GitHubRefusal {
  status: number;
  headers: Headers;
  /** The body's `message` ("Resource not accessible by integration", …), "" without one. */
  message: string;
  /** The request refused: an installation token request fails for the installation, not for a repository. */
  url: string;
}

const MAX_QUOTED_MESSAGE = 300;

function quoted(message: string): string {
  const oneLine = message.replace(/\s+/g, " ").trim();
  return oneLine.length > MAX_QUOTED_MESSAGE ? `${oneLine.slice(0, MAX_QUOTED_MESSAGE)}…` : oneLine;
}

function ownerOf(fullName: string | null): string {
  return fullName?.split("/")[0] ?? "the organisation";
}

/** The request for an installation token: its refusal is the installation's (suspended, uninstalled), not a repository's. */
export function isInstallationTokenRequest(url: string): boolean {
  return /\/app\/installations\/\d+\/access_tokens$/.test(new URL(url, "http://github.invalid").pathname);
}

/**
 * The reason shown on the repository page and the queues page, from GitHub's status, message and headers. It names
 * the repository, says what GitHub said, and what to do.
 */
export function describeRefusal(refusal: GitHubRefusal, subject: { repository: string | null; installationId: number | null; what: string }): string {
  const target = subject.repository ?? subject.what;
  const owner = ownerOf(subject.repository);
  const said = refusal.message ? ` (GitHub: "${quoted(refusal.message)}")` : "";
  if (isInstallationTokenRequest(refusal.url)) {
    if (refusal.status === 404) {
      const installation = subject.installationId === null ? "installation" : `installation ${subject.installationId}`;
      return `the GitHub App ${installation} on ${owner} no longer exists${said}: install the App on ${owner} again, then retry the failed jobs`;
    }
    if (/suspend/i.test(refusal.message)) {
      return `the GitHub App installation on ${owner} is suspended${said}: an owner of ${owner} can unsuspend it under Settings → GitHub Apps, then retry the failed jobs`;
    }
  }
  if (refusal.status === 404) {
    return `${target} not found or not visible to the installation: it was renamed, deleted, or removed from the App's repository access; add it back under ${owner}'s Settings → GitHub Apps, then retry the failed jobs`;
  }
  if (/SAML/i.test(refusal.message) || refusal.headers["x-github-sso"] !== undefined) {
    return `SAML enforcement: ${owner} requires SAML single sign-on and GitHub refused Sentinel's token for ${target}${said}: an owner of ${owner} must authorise the App for single sign-on, then retry the failed jobs`;
  }
  if (/IP allow list/i.test(refusal.message)) {
    return `${owner}'s IP allow list does not include this Sentinel server, so GitHub refused ${target}${said}: add the server's address to the allow list (or let the App's allow list be inherited), then retry the failed jobs`;
  }
  if (/not accessible by integration/i.test(refusal.message)) {
    return `the App lacks Contents: read on ${target}${said}: give the App the "Contents: Read-only" permission and accept it on ${owner}'s installation, then retry the failed jobs`;
  }
  return `GitHub refused access to ${target} (${refusal.status})${said}: check the App's permissions and repository access on ${owner}'s installation, then retry the failed jobs`;
}
