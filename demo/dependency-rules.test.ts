import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { cruise, type ICruiseResult, type IFlattenedRuleSet } from "dependency-cruiser";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The demo's rules in .dependency-cruiser.cjs, run on a small tree that breaks each of them once: `npm run check:deps`
 * passing on the real tree says nothing unless the rules would fail on a violating import.
 */
const root = path.resolve(import.meta.dirname, "..");
const config = createRequire(import.meta.url)(path.join(root, ".dependency-cruiser.cjs")) as { forbidden: IFlattenedRuleSet["forbidden"] };
const DEMO_RULES = ["demo-dataset-is-pure", "demo-dataset-no-node-io", "demo-dataset-depends-only-on-domain", "demo-is-not-a-driver", "domain-not-on-demo"];

const fixture = mkdtempSync(path.join(tmpdir(), "sentinel-demo-rules-"));
afterAll(() => rmSync(fixture, { recursive: true, force: true }));

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
  writeFileSync(path.join(fixture, file), text);
}

describe("the demo's dependency rules", () => {
  it("fail on each forbidden import and allow the generator to use domain/", async () => {
    symlinkSync(path.join(root, "node_modules"), path.join(fixture, "node_modules"), "dir");
    write("domain/ports.ts", "export const port = 1;\n");
    write("infrastructure/db/client.ts", "export const client = 1;\n");
    write("server/services.ts", "export const services = 1;\n");
    write(
      "demo/dataset/generate.ts",
      [
        'import { port } from "../../domain/ports.ts";',
        'import { client } from "../../infrastructure/db/client.ts";',
        'import { readFileSync } from "node:fs";',
        'import { sql } from "drizzle-orm";',
        "export const all = [port, client, readFileSync, sql];",
        "",
      ].join("\n"),
    );
    write("demo/seed.ts", 'import { services } from "../server/services.ts";\nexport const seed = services;\n');
    write("domain/metrics.ts", 'import { seed } from "../demo/seed.ts";\nexport const metrics = seed;\n');

    const result = await cruise(["demo", "domain"], {
      baseDir: fixture,
      validate: true,
      ruleSet: { forbidden: config.forbidden },
      doNotFollow: { path: "node_modules" },
      tsPreCompilationDeps: true,
    });
    const violations = (result.output as ICruiseResult).summary.violations
      .filter((violation) => DEMO_RULES.includes(violation.rule.name))
      .map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to.replace(/^.*node_modules\/drizzle-orm\/.*$/, "drizzle-orm")}`)
      .sort();

    expect(violations).toEqual([
      "demo-dataset-depends-only-on-domain: demo/dataset/generate.ts → infrastructure/db/client.ts",
      "demo-dataset-is-pure: demo/dataset/generate.ts → drizzle-orm",
      "demo-dataset-no-node-io: demo/dataset/generate.ts → fs",
      "demo-is-not-a-driver: demo/seed.ts → server/services.ts",
      "domain-not-on-demo: domain/metrics.ts → demo/seed.ts",
    ]);
  });
});
