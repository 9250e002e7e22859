import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * What the image installs (`npm ci --omit=dev`) is package.json's `dependencies`: each one should be there because
 * code that runs in production imports it. dependency-cruiser (`npm run check:deps`) checks the other direction:
 * every imported package is declared, and production code imports no devDependency.
 */
const root = path.resolve(import.meta.dirname, "..");
const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> };

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = path.join(directory, name);
    if (statSync(full).isDirectory()) return name === "node_modules" ? [] : sourceFiles(full);
    return /\.(tsx?|m?js)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

function importedPackages(): Set<string> {
  const packages = new Set<string>();
  const files = ["app", "application", "bin", "cli", "demo", "domain", "infrastructure", "jobs", "server"].flatMap((folder) => sourceFiles(path.join(root, folder)));
  files.push(path.join(root, "remix.config.js"), path.join(root, "tailwind.config.ts"), path.join(root, "postcss.config.js"));
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+|require\s*\(\s*)["']([^"'./][^"']*)["']/g)) {
      const specifier = match[1]!;
      if (specifier.startsWith("node:")) continue;
      const parts = specifier.split("/");
      packages.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
    }
  }
  return packages;
}

describe("dependencies", () => {
  it("every runtime dependency is imported by production code", () => {
    const imported = importedPackages();
    expect(Object.keys(manifest.dependencies).filter((name) => !imported.has(name))).toEqual([]);
  });

  it("installs one copy of cron-parser (BullMQ pins one version; ours is the same)", () => {
    const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> };
    const copies = Object.entries(lock.packages).filter(([location]) => location === "node_modules/cron-parser" || location.endsWith("/node_modules/cron-parser"));
    expect(copies.map(([location, entry]) => `${location}@${entry.version}`)).toEqual([`node_modules/cron-parser@${copies[0]?.[1].version}`]);
  });
});
