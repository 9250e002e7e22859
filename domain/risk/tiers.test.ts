import { describe, expect, it } from "vitest";
import { matchesGlob } from "./glob.ts";
import { classifyRiskTier, defaultTier, pathWords } from "./tiers.ts";

describe("default risk tiers by path", () => {
  it.each([
    // TypeScript / JavaScript
    ["src/auth/login.ts", 3],
    ["app/routes/api.users.tsx", 2],
    ["src/lib/crypto/aes.ts", 4],
    ["src/utils/format-date.ts", 2],
    ["src/permissions/rbac.ts", 4],
    ["server/middleware/csrf.js", 4],
    ["src/billing/invoice-service.ts", 3],
    ["scripts/release.mjs", 1],
    // Python
    ["myapp/payments/stripe_webhook.py", 3],
    ["myapp/views.py", 2],
    ["myapp/security/password_hasher.py", 4],
    ["docs/conf.py", 1],
    // Go
    ["internal/auth/jwt.go", 4],
    ["internal/handlers/health.go", 2],
    ["pkg/storage/btree.go", 3],
    ["cmd/server/main.go", 2],
    // Rust
    ["core/src/mvcc/database.rs", 3],
    ["src/tls/cert.rs", 4],
    ["examples/basic.rs", 1],
    // Java / C#
    ["src/main/java/com/acme/payment/PaymentService.java", 3],
    ["src/main/java/com/acme/web/UserController.java", 2],
    ["src/Acme.Security/TokenSigner.cs", 4],
    ["src/Acme.Api/Endpoints/HealthEndpoint.cs", 2],
  ] as const)("%s → T%i", (path, tier) => {
    expect(defaultTier(path, "code").tier).toBe(tier);
  });

  it("treats tests, docs and config as boilerplate even inside auth/", () => {
    expect(defaultTier("src/auth/login.test.ts", "test").tier).toBe(1);
    expect(defaultTier("src/auth/README.md", "docs").tier).toBe(1);
    expect(defaultTier("tests/auth/test_login.py", "test").tier).toBe(1);
    expect(defaultTier("internal/auth/config.yaml", "config").tier).toBe(1);
  });

  it("splits camelCase and separators into words", () => {
    expect(pathWords("src/PaymentService.ts")).toEqual(["src", "payment", "service", "ts"]);
    expect(pathWords("my_app/auth-flow/x.py")).toEqual(["my", "app", "auth", "flow", "x", "py"]);
  });

  it("does not read a tier into a word that merely contains a keyword", () => {
    expect(defaultTier("src/author-list.ts", "code").tier).toBe(2);
    expect(defaultTier("src/cryptocurrency-prices.ts", "code").tier).toBe(2);
  });
});

describe("classifyRiskTier", () => {
  it("lets repository overrides win, first match first", () => {
    const overrides = [
      { pattern: "src/legacy/**", tier: 1 as const },
      { pattern: "*.sql", tier: 4 as const },
      { pattern: "src/**", tier: 3 as const },
    ];
    expect(classifyRiskTier({ path: "src/legacy/auth/login.ts", aiConfidence: 0.9, overrides })).toMatchObject({ baseTier: 1, tier: 1, flagged: false });
    expect(classifyRiskTier({ path: "db/migrations/001_init.sql", aiConfidence: 0.9, overrides })).toMatchObject({ baseTier: 4, flagged: true });
    expect(classifyRiskTier({ path: "src/ui/button.tsx", aiConfidence: 0.9, overrides }).reasons[0]).toBe('T3 Core: repository override "src/**"');
  });

  it("flags high-confidence AI code in T3/T4, not in T1/T2", () => {
    expect(classifyRiskTier({ path: "src/auth/login.ts", kind: "code", aiConfidence: 0.95 })).toMatchObject({ tier: 3, flagged: true });
    expect(classifyRiskTier({ path: "src/utils/strings.ts", kind: "code", aiConfidence: 0.95 })).toMatchObject({ tier: 2, flagged: false });
  });

  it("lowers the tier by one below 0.3 AI confidence, never below T1", () => {
    expect(classifyRiskTier({ path: "src/crypto/keys.ts", kind: "code", aiConfidence: 0.1 })).toMatchObject({ baseTier: 4, tier: 3, flagged: false });
    expect(classifyRiskTier({ path: "docs/intro.md", kind: "docs", aiConfidence: 0 })).toMatchObject({ baseTier: 1, tier: 1 });
    expect(classifyRiskTier({ path: "src/crypto/keys.ts", kind: "code", aiConfidence: 0.3 })).toMatchObject({ tier: 4 });
  });
});

describe("matchesGlob", () => {
  it.each([
    ["src/billing/**", "src/billing/a/b.ts", true],
    ["src/billing/**", "src/billing.ts", false],
    ["*.sql", "db/migrations/001.sql", true],
    ["src/*.ts", "src/a/b.ts", false],
    ["src/*.ts", "src/a.ts", true],
    ["legacy/", "app/legacy/x.py", true],
    ["/legacy/", "app/legacy/x.py", false],
    ["**/auth/**", "services/api/auth/jwt.go", true],
    ["src/{auth,billing}/**", "src/billing/x.ts", true],
    ["src/?.ts", "src/ab.ts", false],
  ] as const)("%s vs %s → %s", (pattern, path, expected) => {
    expect(matchesGlob(path, pattern)).toBe(expected);
  });
});
