import { matchesGlob } from "./glob.ts";

/**
 * Risk tiers of changed files.
 *   T1 Boilerplate: config, tests, scripts, docs, examples
 *   T2 Glue: routes, handlers, CRUD, utilities, UI — and any code no rule names
 *   T3 Core: authentication, sessions, payments, billing, business logic, data model, migrations
 *   T4 Critical: cryptography, permissions, secrets, security-sensitive code, novel algorithms
 * Order: a repository override (first match) decides; otherwise tests/docs/config/scripts are T1 even inside
 * an auth/ folder (they do not ship), and the highest tier any path word names wins. Then AI confidence:
 * below 0.3 the tier drops by one so human code is not flagged; at or above 0.7 in T3/T4 the file is flagged.
 */

export type Tier = 1 | 2 | 3 | 4;

export const TIER_NAMES: Record<Tier, string> = { 1: "Boilerplate", 2: "Glue", 3: "Core", 4: "Critical" };

/** A count (lines, AI lines) per risk tier, as the metrics rows, rollups and alert rules keep it. */
export type TierCounts = { t1: number; t2: number; t3: number; t4: number };
export const LOW_CONFIDENCE = 0.3;
export const FLAG_CONFIDENCE = 0.7;

export interface TierOverride {
  /** Glob, e.g. "src/billing/**", "*.sql", "legacy/". */
  pattern: string;
  tier: Tier;
}

export interface TierInput {
  path: string;
  /** The engine's file kind; tests, docs and config are boilerplate wherever they live. */
  kind?: string;
  aiConfidence: number;
  overrides?: readonly TierOverride[];
}

export interface TierResult {
  tier: Tier;
  baseTier: Tier;
  reasons: string[];
  /** High-confidence AI code in T3/T4. */
  flagged: boolean;
}

const WORD_TIERS: Array<[Tier, RegExp]> = [
  [
    4,
    /^(crypto|cryptography|crypt|encrypt\w*|decrypt\w*|cipher\w*|hash(ing)?|hmac|signing|signer|signature\w*|jwt|jwk|jws|oauth2?|oidc|saml|sso|permissions?|rbac|abac|acl|acls|authz|authori[sz]ation|authori[sz]er|policy|policies|guard|guards|secrets?|vault|keystore|keychain|kms|password\w*|passwd|credentials?|sanitiz\w*|csrf|xss|security|firewall|tls|ssl|certs?|certificates?|totp|mfa|2fa|otp|webauthn|passkeys?|sandbox|seccomp|privilege\w*|algorithms?|consensus|raft)$/,
  ],
  [
    3,
    /^(auth|authn|authentication|authenticat\w*|login|logout|signin|signup|sessions?|tokens?|payments?|pay|billing|checkout|invoices?|subscriptions?|stripe|paypal|ledger|wallets?|transactions?|transfers?|orders?|pricing|refunds?|accounts?|domain|core|kernel|engine|business|rules|models?|entities|entity|aggregates?|migrations?|migrate|schema|database|db|storage|persistence|scheduler|compiler|parser|planner|optimizer|executor|replication|wal|btree|mvcc|concurrency|queue|queues|workers?)$/,
  ],
  [
    2,
    /^(routes?|router|controllers?|handlers?|api|apis|endpoints?|views?|components?|pages?|screens?|utils?|utilities|helpers?|lib|libs|crud|repositor(y|ies)|adapters?|middlewares?|services?|cli|commands?|ui|hooks?|store|stores|client|server|http|graphql|resolvers?)$/,
  ],
  [
    1,
    /^(tests?|__tests__|spec|specs|testing|e2e|docs?|documentation|examples?|samples?|demo|fixtures?|mocks?|stubs?|benchmarks?|bench|scripts?|tools?|storybook|stories|\.github|\.circleci|ci|config|configs|configuration|settings|assets?|static|public|locales?|i18n|translations?)$/,
  ],
];

const BOILERPLATE_KINDS = new Set(["test", "docs", "config", "lockfile", "generated", "vendored", "binary", "translation"]);

/** Words of a path: segments, then split on ".", "_", "-" and camelCase. "src/PaymentService.ts" → src, payment, service, ts. */
export function pathWords(path: string): string[] {
  return path
    .split("/")
    .flatMap((segment) => segment.replace(/([a-z0-9])([A-Z])/g, "$1 $2").split(/[\s._-]+/))
    .map((word) => word.toLowerCase())
    .filter((word) => word.length > 0);
}

export function defaultTier(path: string, kind?: string): { tier: Tier; reason: string } {
  if (kind && BOILERPLATE_KINDS.has(kind)) return { tier: 1, reason: `T1: ${kind} file` };
  const words = pathWords(path);
  // Segment-level T1 words (a tests/ or docs/ directory) only count as directories, not as file-name words.
  const directories = path.split("/").slice(0, -1).map((segment) => segment.toLowerCase());
  const t1 = WORD_TIERS.find(([tier]) => tier === 1)?.[1];
  const t1Directory = t1 ? directories.find((directory) => t1.test(directory)) : undefined;
  if (t1Directory) return { tier: 1, reason: `T1: under ${t1Directory}/` };
  for (const [tier, pattern] of WORD_TIERS) {
    if (tier === 1) continue;
    const word = words.find((candidate) => pattern.test(candidate));
    if (word) return { tier, reason: `T${tier} ${TIER_NAMES[tier]}: path names "${word}"` };
  }
  return { tier: 2, reason: "T2 Glue: no rule names this path" };
}

/** Classifies one file: overrides, then default path rules, then AI confidence. */
export function classifyRiskTier(input: TierInput): TierResult {
  const reasons: string[] = [];
  let baseTier: Tier;
  // A stored pattern that is refused (see glob.ts) matches nothing, so it can never stall the shared worker.
  const override = (input.overrides ?? []).find((candidate) => matchesGlob(input.path, candidate.pattern));
  if (override) {
    baseTier = override.tier;
    reasons.push(`T${override.tier} ${TIER_NAMES[override.tier]}: repository override "${override.pattern}"`);
  } else {
    const byDefault = defaultTier(input.path, input.kind);
    baseTier = byDefault.tier;
    reasons.push(byDefault.reason);
  }
  let tier = baseTier;
  const confidence = input.aiConfidence;
  if (confidence < LOW_CONFIDENCE && baseTier > 1) {
    tier = (baseTier - 1) as Tier;
    reasons.push(`lowered to T${tier}: AI confidence ${confidence.toFixed(2)} is below ${LOW_CONFIDENCE}`);
  }
  const flagged = confidence >= FLAG_CONFIDENCE && tier >= 3;
  if (flagged) reasons.push(`flagged: AI confidence ${confidence.toFixed(2)} in a T${tier} file`);
  return { tier, baseTier, reasons, flagged };
}
