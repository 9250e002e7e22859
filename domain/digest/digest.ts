/**
 * The weekly digest (issue 18, item 5) as plain data: which week it covers, and what it says about it. The numbers
 * come in already computed (application/digest/load-digest.ts); this module only decides the week, the wording and
 * what an empty week reads like. Every channel renders the same Digest (infrastructure/notify/digest-messages.ts),
 * so Slack, email, the settings page's preview and the CLI never disagree. Organisation-wide figures only: no
 * author, reviewer or other per-person number reaches a digest.
 */
import { addDays, localClock, parseLocalDate, weekStartOf } from "../metrics/time.ts";

/** Local time the digest goes out: Monday from 08:00 in the organisation's zone. */
export const DIGEST_LOCAL = { weekday: 1, hour: 8 } as const;

/**
 * How long after that a digest not yet sent still goes out: a worker that was down or busy through Monday 08:00 sends
 * the week's digest when it is back within a day, and after that the week is left alone (a digest of last week
 * arriving on a Thursday reads as noise, and the next Monday's covers the days since).
 */
export const DIGEST_CATCH_UP_HOURS = 24;

/** How many risky files and pull requests a digest names; its counts say how many there are in all. */
export const DIGEST_LIST_LIMIT = 5;

export interface DigestWeek {
  /** The Monday the week starts on (YYYY-MM-DD, local). */
  start: string;
  /** The Sunday it ends on (inclusive). */
  end: string;
}

/** The week a Monday starts; throws RangeError for a date that is not a Monday (callers validate input first). */
export function digestWeekStarting(monday: string): DigestWeek {
  parseLocalDate(monday);
  if (weekStartOf(monday) !== monday) throw new RangeError(`${monday} is not a Monday`);
  return { start: monday, end: addDays(monday, 6) };
}

/** The last complete Monday–Sunday week before `now`, in `timeZone`: on a Monday, the week that ended last night. */
export function lastCompleteWeek(now: Date, timeZone: string): DigestWeek {
  return digestWeekStarting(addDays(weekStartOf(localClock(now, timeZone).date), -7));
}

/** Whether the hourly tick at `now` is an organisation's digest hour (Monday 08:00–08:59 local). */
export function isDigestHour(now: Date, timeZone: string): boolean {
  const local = localClock(now, timeZone);
  return local.weekday === DIGEST_LOCAL.weekday && local.hour === DIGEST_LOCAL.hour;
}

/**
 * Whether `now` falls in the window a digest may still go out in: from Monday 08:00 local for DIGEST_CATCH_UP_HOURS.
 * Counted in local hours of the week (Monday 00:00 = 0), so a daylight-saving change inside the window moves its end by
 * the hour the clocks moved, no more.
 */
export function isInDigestWindow(now: Date, timeZone: string): boolean {
  const local = localClock(now, timeZone);
  const hourOfWeek = ((local.weekday + 6) % 7) * 24 + local.hour;
  const opens = (DIGEST_LOCAL.weekday - 1) * 24 + DIGEST_LOCAL.hour;
  return hourOfWeek >= opens && hourOfWeek < opens + DIGEST_CATCH_UP_HOURS;
}

export interface ShareOfWeek {
  /** Expected AI-written lines (the AI-share estimate's numerator). */
  aiLines: number;
  /** Written lines of the analysed commits. */
  lines: number;
  commits: number;
}

export interface DigestNumbers {
  organization: { name: string };
  week: DigestWeek;
  share: ShareOfWeek;
  previousShare: ShareOfWeek;
  /** AI commits per tool ("unmarked": judged by style alone), any order. */
  tools: { tool: string; commits: number; writtenLines: number }[];
  /** The week's T3/T4 files with AI-written changes, riskiest first (at most DIGEST_LIST_LIMIT), and how many in all. */
  riskyFiles: { repoId: string; repoFullName: string; path: string; riskTier: number; aiLinesAdded: number }[];
  riskyFileCount: number;
  incidents: { started: number; aiAttributed: number };
  unreviewedAiMerges: {
    merged: number;
    aiHighRiskMerged: number;
    unreviewed: number;
    /** Newest merge first, at most DIGEST_LIST_LIMIT. */
    pullRequests: { repoId: string; repoFullName: string; number: number; title: string }[];
  };
}

export interface DigestLink {
  label: string;
  /** A path of the dashboard ("/incidents"); the message builders put the server's base URL in front. */
  path: string;
}

export interface DigestSection {
  id: "share" | "tools" | "risky-files" | "incidents" | "unreviewed-merges";
  heading: string;
  /** Plain text: untrusted parts (repository names, paths, titles) are escaped by each channel's renderer. */
  lines: string[];
  link: DigestLink | null;
}

export interface Digest {
  week: DigestWeek;
  title: string;
  /** One sentence: the share and its trend, or that nothing happened. */
  summary: string;
  /** True when the week had no analysed commit, incident or merge: the digest says so and nothing else. */
  empty: boolean;
  sections: DigestSection[];
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "30 Nov – 6 Dec 2026" (the year once, or twice when the week spans two). */
export function formatWeek(week: DigestWeek): string {
  const start = parseLocalDate(week.start);
  const end = parseLocalDate(week.end);
  const day = (date: { day: number; month: number }) => `${date.day} ${MONTHS[date.month - 1]}`;
  return start.year === end.year ? `${day(start)} – ${day(end)} ${end.year}` : `${day(start)} ${start.year} – ${day(end)} ${end.year}`;
}

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

/** The AI share of a week's written lines, 0–1, or null without written lines. */
export function shareOf(week: ShareOfWeek): number | null {
  return week.lines > 0 ? week.aiLines / week.lines : null;
}

/** "up 3.2 points from 28.1 %", "unchanged at …", or why there is nothing to compare with. */
export function describeTrend(current: number | null, previous: number | null): string {
  if (current === null) return "no written lines were analysed this week";
  if (previous === null) return "no written lines to compare with the week before";
  const points = (current - previous) * 100;
  if (Math.abs(points) < 0.05) return `unchanged from the week before (${percent(previous)})`;
  return `${points > 0 ? "up" : "down"} ${Math.abs(points).toFixed(1)} points from ${percent(previous)} the week before`;
}

function shareSection(numbers: DigestNumbers): DigestSection {
  const current = shareOf(numbers.share);
  const lines =
    current === null
      ? ["No written lines were analysed this week."]
      : [
          `AI share of written lines: ${percent(current)}, ${describeTrend(current, shareOf(numbers.previousShare))}.`,
          `${count(Math.round(numbers.share.aiLines), "line")} of ${count(numbers.share.lines, "written line")} estimated AI-written, in ${count(numbers.share.commits, "analysed commit")}.`,
        ];
  return { id: "share", heading: "AI share", lines, link: { label: "Open the overview", path: "/dashboard" } };
}

function toolsSection(numbers: DigestNumbers): DigestSection {
  const tools = numbers.tools.filter((tool) => tool.commits > 0).sort((a, b) => b.commits - a.commits || b.writtenLines - a.writtenLines || a.tool.localeCompare(b.tool));
  const lines = tools.length === 0 ? ["No AI commits this week."] : tools.map((tool) => `${tool.tool}: ${count(tool.commits, "commit")}, ${count(tool.writtenLines, "written line")}`);
  return { id: "tools", heading: "AI commits by tool", lines, link: null };
}

function riskyFilesSection(numbers: DigestNumbers): DigestSection {
  const files = numbers.riskyFiles.slice(0, DIGEST_LIST_LIMIT);
  const lines =
    files.length === 0
      ? ["No AI-written changes to T3/T4 files this week."]
      : [
          ...files.map((file) => `T${file.riskTier} ${file.repoFullName}: ${file.path} (${count(file.aiLinesAdded, "AI-written line")})`),
          ...(numbers.riskyFileCount > files.length ? [`…and ${count(numbers.riskyFileCount - files.length, "more file")}.`] : []),
        ];
  const only = files.length > 0 && files.every((file) => file.repoId === files[0]!.repoId) ? files[0]!.repoId : null;
  return {
    id: "risky-files",
    heading: numbers.riskyFileCount > 0 ? `Riskiest AI-written files (${numbers.riskyFileCount} T3/T4 in all)` : "Riskiest AI-written files",
    lines,
    link: only ? { label: "Open the repository", path: `/repos/${encodeURIComponent(only)}` } : files.length > 0 ? { label: "Open the overview", path: "/dashboard" } : null,
  };
}

function incidentsSection(numbers: DigestNumbers): DigestSection {
  const { started, aiAttributed } = numbers.incidents;
  const lines =
    started === 0
      ? ["No incidents started this week."]
      : [`${count(started, "incident")} started; ${aiAttributed} of them with AI-written lines in the suspected commits.`];
  return { id: "incidents", heading: "Incidents attributed to AI-written code", lines, link: started > 0 ? { label: "Open the incidents", path: "/incidents" } : null };
}

function unreviewedSection(numbers: DigestNumbers): DigestSection {
  const merges = numbers.unreviewedAiMerges;
  const lines =
    merges.merged === 0
      ? ["No pull requests merged this week."]
      : [
          `${merges.unreviewed} of ${count(merges.aiHighRiskMerged, "merged pull request")} with AI-written T3/T4 changes merged without a review (${count(merges.merged, "merge")} in all).`,
          ...merges.pullRequests.slice(0, DIGEST_LIST_LIMIT).map((pr) => `${pr.repoFullName}#${pr.number}${pr.title ? ` ${pr.title}` : ""}`),
        ];
  const first = merges.pullRequests[0];
  return {
    id: "unreviewed-merges",
    heading: "AI-written T3/T4 changes merged without review",
    lines,
    link: first ? { label: "Open the repository", path: `/repos/${encodeURIComponent(first.repoId)}` } : null,
  };
}

/** Nothing to report: no analysed commit, no incident, no merge. */
function isEmptyWeek(numbers: DigestNumbers): boolean {
  return numbers.share.commits === 0 && numbers.incidents.started === 0 && numbers.unreviewedAiMerges.merged === 0 && numbers.riskyFileCount === 0;
}

export function buildWeeklyDigest(numbers: DigestNumbers): Digest {
  const title = `Sentinel weekly digest · ${numbers.organization.name} · ${formatWeek(numbers.week)}`;
  if (isEmptyWeek(numbers)) {
    return {
      week: numbers.week,
      title,
      summary: "A quiet week: no analysed commits, no merged pull requests and no incidents.",
      empty: true,
      sections: [],
    };
  }
  const current = shareOf(numbers.share);
  const summary =
    current === null
      ? "No written lines were analysed this week."
      : `AI wrote an estimated ${percent(current)} of the week's written lines, ${describeTrend(current, shareOf(numbers.previousShare))}.`;
  return {
    week: numbers.week,
    title,
    summary,
    empty: false,
    sections: [shareSection(numbers), toolsSection(numbers), riskyFilesSection(numbers), incidentsSection(numbers), unreviewedSection(numbers)],
  };
}

/** The digest as plain text (CLI, email's text part, Slack's fallback). */
export function digestAsText(digest: Digest, linkOf: (link: DigestLink) => string | null = () => null): string {
  const out = [digest.title, "", digest.summary];
  for (const section of digest.sections) {
    out.push("", section.heading, ...section.lines.map((line) => `  ${line}`));
    const url = section.link ? linkOf(section.link) : null;
    if (url) out.push(`  ${section.link!.label}: ${url}`);
  }
  return out.join("\n");
}
