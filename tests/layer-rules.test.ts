import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { cruise, type ICruiseResult, type IFlattenedRuleSet } from "dependency-cruiser";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The layer rules in .dependency-cruiser.cjs, run on a small tree that breaks each of them once next to the imports
 * they allow: `npm run check:deps` passing on the real tree says nothing unless the rules fail on a violating import.
 */
const root = path.resolve(import.meta.dirname, "..");
const config = createRequire(import.meta.url)(path.join(root, ".dependency-cruiser.cjs")) as { forbidden: IFlattenedRuleSet["forbidden"] };
const LAYER_RULES = [
  "domain-depends-on-nothing-outside",
  "application-on-domain-and-adapters",
  "infrastructure-is-adapters-only",
  "jobs-call-use-cases",
  "app-calls-use-cases",
  "cli-is-a-driver",
  "no-circular",
  "production-not-on-tests-or-tools",
];

const fixture = mkdtempSync(path.join(tmpdir(), "sentinel-layer-rules-"));
afterAll(() => rmSync(fixture, { recursive: true, force: true }));

function write(file: string, lines: string[]): void {
  mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
  writeFileSync(path.join(fixture, file), [...lines, ""].join("\n"));
}

describe("the layer rules", () => {
  it("allow the inward arrows and fail on each outward one and on a cycle", async () => {
    symlinkSync(path.join(root, "node_modules"), path.join(fixture, "node_modules"), "dir");
    // Allowed: application on domain and adapters; drivers on application (the services bag's type included); server on everything.
    write("domain/ports.ts", ["export const port = 1;"]);
    write("infrastructure/db/client.ts", ['import { port } from "../../domain/ports.ts";', "export const client = port;"]);
    write("application/use-case.ts", ['import { port } from "../domain/ports.ts";', 'import { client } from "../infrastructure/db/client.ts";', "export const useCase = port + client;"]);
    write("application/services.ts", ["export interface Services { db: number }"]);
    write("server/services.ts", ['import type { Services } from "../application/services.ts";', 'import { client } from "../infrastructure/db/client.ts";', "export const services: Services = { db: client };"]);
    write("jobs/worker.ts", ['import { useCase } from "../application/use-case.ts";', 'import type { Services } from "../application/services.ts";', "export const worker = (s: Services) => useCase + s.db;"]);
    write("app/route.ts", ['import { useCase } from "../application/use-case.ts";', 'import type { Services } from "../application/services.ts";', "export const route = (s: Services) => useCase + s.db;"]);
    write("cli/main.ts", ['import { useCase } from "../application/use-case.ts";', 'import { services } from "../server/services.ts";', "export const main = useCase + services.db;"]);
    write("server/start.ts", ['import { route } from "../app/route.ts";', 'import { worker } from "../jobs/worker.ts";', 'import { services } from "./services.ts";', "export const start = [route(services), worker(services)];"]);
    write("tests/support/helper.ts", ["export const helper = 1;"]);
    // Forbidden: one import per rule.
    write("domain/outward.ts", ['import { useCase } from "../application/use-case.ts";', "export const outward = useCase;"]);
    write("application/outward.ts", ['import { worker } from "../jobs/worker.ts";', "export const outward = worker;"]);
    write("infrastructure/outward.ts", ['import { useCase } from "../application/use-case.ts";', "export const outward = useCase;"]);
    write("jobs/outward.ts", ['import { route } from "../app/route.ts";', 'import type { services } from "../server/services.ts";', "export const outward = (s: typeof services) => [route, s];"]);
    write("app/outward.ts", ['import { worker } from "../jobs/worker.ts";', 'import type { services } from "../server/services.ts";', "export const outward = (s: typeof services) => [worker, s];"]);
    write("cli/outward.ts", ['import { route } from "../app/route.ts";', "export const outward = route;"]);
    write("server/cycle-a.ts", ['import { b } from "./cycle-b.ts";', "export const a = () => b;"]);
    write("server/cycle-b.ts", ['import { a } from "./cycle-a.ts";', "export const b = () => a;"]);
    write("application/test-helper.ts", ['import { helper } from "../tests/support/helper.ts";', "export const leak = helper;"]);

    const result = await cruise(["app", "application", "cli", "domain", "infrastructure", "jobs", "server"], {
      baseDir: fixture,
      validate: true,
      ruleSet: { forbidden: config.forbidden },
      doNotFollow: { path: "node_modules" },
      tsPreCompilationDeps: true,
    });
    const violations = (result.output as ICruiseResult).summary.violations
      .filter((violation) => LAYER_RULES.includes(violation.rule.name))
      .map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`)
      .sort();

    expect(violations).toEqual([
      "app-calls-use-cases: app/outward.ts → jobs/worker.ts",
      "app-calls-use-cases: app/outward.ts → server/services.ts",
      "application-on-domain-and-adapters: application/outward.ts → jobs/worker.ts",
      "cli-is-a-driver: cli/outward.ts → app/route.ts",
      "domain-depends-on-nothing-outside: domain/outward.ts → application/use-case.ts",
      "infrastructure-is-adapters-only: infrastructure/outward.ts → application/use-case.ts",
      "jobs-call-use-cases: jobs/outward.ts → app/route.ts",
      "jobs-call-use-cases: jobs/outward.ts → server/services.ts",
      "no-circular: server/cycle-a.ts → server/cycle-b.ts",
      "production-not-on-tests-or-tools: application/test-helper.ts → tests/support/helper.ts",
    ]);
  });
});
