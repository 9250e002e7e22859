/**
 * The fictional organisation: who works where, in which time zone, with which AI habits, and what the
 * three repositories look like. Ids are fixed so a re-seeded demo keeps the same people and repos.
 */
import type { AiTool, DemoAccount, DemoMember, GitHubRepository, GitHubUser } from "./types.ts";

export const ORG_LOGIN = "acme-demo";

export const ACCOUNT: DemoAccount = {
  id: 190_442_117,
  login: ORG_LOGIN,
  type: "Organization",
  html_url: `https://github.com/${ORG_LOGIN}`,
  installationId: 61_204_338,
};

export const ORG_USER: GitHubUser = { login: ORG_LOGIN, id: ACCOUNT.id, type: "Organization", html_url: ACCOUNT.html_url };

export type CodeKind = "ts" | "tsx" | "ts-test" | "e2e" | "go" | "go-test";

export interface AreaDef {
  /** Directory, e.g. "src/payments". */
  dir: string;
  kind: CodeKind;
  /** Payments, auth and crypto: a bad change here is what pages someone. */
  critical: boolean;
  nouns: readonly string[];
  /** Relative share of work landing here. */
  weight: number;
}

export interface RepoDef {
  name: string;
  description: string;
  language: "TypeScript" | "Go";
  id: number;
  private: boolean;
  areas: readonly AreaDef[];
}

export const REPO_DEFS: readonly RepoDef[] = [
  {
    name: "checkout-api",
    description: "Checkout, payments and customer auth API",
    language: "TypeScript",
    id: 812_330_451,
    private: true,
    areas: [
      { dir: "src/routes", kind: "ts", critical: false, nouns: ["order", "cart", "checkout", "webhook", "customer"], weight: 3 },
      { dir: "src/payments", kind: "ts", critical: true, nouns: ["charge", "refund", "payout", "invoice", "capture"], weight: 3 },
      { dir: "src/auth", kind: "ts", critical: true, nouns: ["session", "token", "password", "apiKey", "role"], weight: 2 },
      { dir: "src/lib", kind: "ts", critical: false, nouns: ["retry", "cache", "config", "money", "clock"], weight: 1.5 },
      { dir: "tests", kind: "ts-test", critical: false, nouns: ["refund", "session", "order", "charge", "cart"], weight: 1.5 },
    ],
  },
  {
    name: "ledger-service",
    description: "Double-entry ledger and settlement service",
    language: "Go",
    id: 812_330_987,
    private: true,
    areas: [
      { dir: "internal/ledger", kind: "go", critical: false, nouns: ["entry", "account", "balance", "journal", "posting"], weight: 3.5 },
      { dir: "internal/crypto", kind: "go", critical: true, nouns: ["key", "signature", "nonce", "envelope", "digest"], weight: 1.5 },
      { dir: "cmd/ledgerd", kind: "go", critical: false, nouns: ["server", "flag", "migration", "worker"], weight: 1 },
      { dir: "pkg/money", kind: "go", critical: false, nouns: ["amount", "currency", "rate", "rounding"], weight: 1.5 },
      { dir: "internal/ledger", kind: "go-test", critical: false, nouns: ["entry", "balance", "posting"], weight: 1.5 },
    ],
  },
  {
    name: "web-app",
    description: "Customer-facing web app (React Router)",
    language: "TypeScript",
    id: 812_331_204,
    private: false,
    areas: [
      { dir: "app/components", kind: "tsx", critical: false, nouns: ["cart", "order", "price", "address", "banner"], weight: 3.5 },
      { dir: "app/routes", kind: "tsx", critical: false, nouns: ["checkout", "account", "orders", "product", "search"], weight: 2.5 },
      { dir: "app/auth", kind: "ts", critical: true, nouns: ["session", "oauth", "csrf", "login"], weight: 1.5 },
      { dir: "e2e", kind: "e2e", critical: false, nouns: ["checkout", "login", "cart", "account"], weight: 1 },
    ],
  },
];

export function repositoryPayload(def: RepoDef): GitHubRepository {
  const fullName = `${ORG_LOGIN}/${def.name}`;
  return {
    id: def.id,
    node_id: `R_kgDO${def.id.toString(36).toUpperCase()}`,
    name: def.name,
    full_name: fullName,
    private: def.private,
    html_url: `https://github.com/${fullName}`,
    description: def.description,
    language: def.language,
    default_branch: "main",
    owner: ORG_USER,
  };
}

export interface MemberProfile {
  member: DemoMember;
  /** 0..1: how readily this person reaches for an AI tool. */
  aiAffinity: number;
  /** Tools this person uses, by preference. */
  tools: readonly (readonly [AiTool, number])[];
  /** Tasks started per working day, all repos together. */
  pace: number;
  /** Share of their AI commits where they strip or never get the trailer. */
  stripsMarkers: number;
}

function member(id: number, login: string, name: string, offset: string, repos: string[]): DemoMember {
  const sign = offset.startsWith("-") ? -1 : 1;
  const [h, m] = offset.slice(1).split(":").map(Number);
  return {
    id,
    login,
    name,
    email: `${id}+${login}@users.noreply.github.com`,
    utcOffset: offset,
    utcOffsetMinutes: sign * ((h ?? 0) * 60 + (m ?? 0)),
    repositories: repos.map((r) => `${ORG_LOGIN}/${r}`),
  };
}

export const MEMBER_PROFILES: readonly MemberProfile[] = [
  { member: member(41_872_305, "lfischer", "Lena Fischer", "+01:00", ["checkout-api", "ledger-service"]), aiAffinity: 0.9, tools: [["claude-code", 6], ["copilot-agent", 2], ["cursor", 1]], pace: 0.6, stripsMarkers: 0.1 },
  { member: member(5_520_918, "mreed-dev", "Marcus Reed", "-08:00", ["web-app", "checkout-api"]), aiAffinity: 1, tools: [["cursor", 4], ["cursor-agent", 2], ["claude-code", 2]], pace: 0.6, stripsMarkers: 0.15 },
  { member: member(73_004_129, "priyaraman", "Priya Raman", "+05:30", ["ledger-service", "checkout-api"]), aiAffinity: 0.7, tools: [["codex", 4], ["claude-code", 2]], pace: 0.55, stripsMarkers: 0.3 },
  { member: member(19_284_774, "talvarez", "Tomás Alvarez", "-03:00", ["web-app"]), aiAffinity: 0.75, tools: [["copilot-agent", 3], ["cursor", 2]], pace: 0.5, stripsMarkers: 0.2 },
  { member: member(88_120_556, "hsato", "Hana Sato", "+09:00", ["ledger-service"]), aiAffinity: 0.25, tools: [["claude-code", 1]], pace: 0.45, stripsMarkers: 0.5 },
  { member: member(30_118_402, "jblake", "Jordan Blake", "-05:00", ["checkout-api", "web-app"]), aiAffinity: 0.85, tools: [["claude-code", 3], ["codex", 1], ["copilot-agent", 1]], pace: 0.55, stripsMarkers: 0.35 },
  { member: member(62_377_810, "amara-ok", "Amara Okafor", "+00:00", ["web-app", "ledger-service"]), aiAffinity: 0.6, tools: [["cursor", 3], ["cursor-agent", 1], ["claude-code", 1]], pace: 0.5, stripsMarkers: 0.25 },
  { member: member(11_903_664, "eriklq", "Erik Lindqvist", "+02:00", ["checkout-api", "ledger-service"]), aiAffinity: 0.35, tools: [["claude-code", 1], ["codex", 1]], pace: 0.45, stripsMarkers: 0.4 },
];

export function userOf(m: DemoMember): GitHubUser {
  return { login: m.login, id: m.id, type: "User", html_url: `https://github.com/${m.login}` };
}

/** Identities AI tools and GitHub itself use in commits (docs/detection.md). */
export const COPILOT_BOT: GitHubUser = { login: "Copilot", id: 198_982_749, type: "Bot", html_url: "https://github.com/apps/copilot-swe-agent" };
export const COPILOT_GIT = { name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com" };
export const CURSOR_AGENT_GIT = { name: "Cursor Agent", email: "cursoragent@cursor.com" };
export const WEB_FLOW: GitHubUser = { login: "web-flow", id: 19_864_447, type: "User", html_url: "https://github.com/web-flow" };
export const GITHUB_GIT = { name: "GitHub", email: "noreply@github.com" };
export const ACTIONS_BOT: GitHubUser = { login: "github-actions[bot]", id: 41_898_282, type: "Bot", html_url: "https://github.com/apps/github-actions" };
