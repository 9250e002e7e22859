/**
 * The production image and docker-compose.yml, checked without a Docker engine (there is none on the machines that
 * run the suite): .dockerignore decides what can reach any layer, the Dockerfile's last stage decides what the image
 * that runs holds, and docker-compose.yml decides which settings reach the processes.
 *
 * .dockerignore is evaluated the way Docker does it (moby/patternmatcher: patterns relative to the context root, a
 * pattern that matches a parent directory excludes everything under it, `!` re-includes, the last matching pattern
 * wins), with picomatch (dot: true) standing in for Go's filepath.Match plus `**`. The two agree on the patterns used
 * here (`*`, a leading `**`, literal names); picomatch's extglobs and braces have no Docker equivalent, so the file uses none.
 */
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { envSchema } from "../infrastructure/config/env.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

// ---- .dockerignore

interface IgnoreRule {
  exclusion: boolean;
  pattern: string;
  matches: (file: string) => boolean;
}

function readDockerignore(text: string): IgnoreRule[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const exclusion = line.startsWith("!");
      // Docker cleans each pattern (filepath.Clean) and drops a leading slash: the context root is the only root.
      const pattern = path.posix.normalize(exclusion ? line.slice(1).trim() : line).replace(/^\/+/, "").replace(/\/+$/, "");
      return { exclusion, pattern, matches: picomatch(pattern, { dot: true }) };
    });
}

/** moby/patternmatcher's MatchesOrParentMatches: true when `file` (relative, `/`-separated) stays out of the context. */
function isExcluded(rules: IgnoreRule[], file: string): boolean {
  const parts = file.split("/");
  const parents = parts.slice(0, -1).map((_, index) => parts.slice(0, index + 1).join("/"));
  let excluded = false;
  for (const rule of rules) {
    // An inclusion only matters for a file already excluded, an exclusion only for one not yet excluded.
    if (rule.exclusion !== excluded) continue;
    if (rule.matches(file) || parents.some((parent) => rule.matches(parent))) excluded = !rule.exclusion;
  }
  return excluded;
}

// ---- Dockerfile

interface Instruction {
  keyword: string;
  /** The arguments, continuation lines joined. */
  text: string;
}

/** Instructions in order: `\` continuations joined, comment and blank lines (also inside a continuation) skipped. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const continued = line.endsWith("\\");
    pending += `${continued ? line.slice(0, -1) : line} `;
    if (continued) continue;
    const [keyword, ...rest] = pending.trim().split(/\s+/);
    instructions.push({ keyword: keyword!.toUpperCase(), text: rest.join(" ") });
    pending = "";
  }
  return instructions;
}

function stagesOf(instructions: Instruction[]): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

interface Copy {
  from: string | null;
  sources: string[];
}

/** COPY/ADD in shell form (`COPY --from=build /app/build ./build`) or JSON form (`COPY ["a", "b"]`). */
function parseCopy(instruction: Instruction): Copy {
  const tokens = instruction.text.split(/\s+/);
  const flags = tokens.filter((token) => token.startsWith("--"));
  const operands = tokens.filter((token) => !token.startsWith("--")).join(" ");
  const paths = operands.startsWith("[") ? (JSON.parse(operands) as string[]) : operands.split(" ");
  const from = flags.find((flag) => flag.startsWith("--from="))?.slice("--from=".length) ?? null;
  return { from, sources: paths.slice(0, -1).map((source) => path.posix.normalize(source).replace(/^\.\//, "").replace(/\/$/, "")) };
}

const dockerfile = stagesOf(parseDockerfile(read("Dockerfile")));
const finalStage = dockerfile.at(-1)!;
const ignoreRules = readDockerignore(read(".dockerignore"));

/**
 * The files of the checkout that would be sent as the build context. Like Docker, it does not walk into an excluded
 * directory unless an exception could re-include something inside it.
 */
function contextFilesOf(root: string, rules: IgnoreRule[], directory = ""): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(root, directory), { withFileTypes: true })) {
    const relative = directory === "" ? entry.name : `${directory}/${entry.name}`;
    if (entry.isDirectory()) {
      const reincluded = rules.some((rule) => !rule.exclusion && rule.pattern.startsWith(`${relative}/`));
      if (isExcluded(rules, relative) && !reincluded) continue;
      files.push(...contextFilesOf(root, rules, relative));
    } else if (!isExcluded(rules, relative)) {
      files.push(relative);
    }
  }
  return files;
}

/** Files an operator's checkout typically has besides the repository's own; checked whether or not they exist here. */
const UNTRACKED = [
  ".env",
  ".env.production",
  "deploy/.env",
  ".sentinel/pglite/PG_VERSION",
  ".sentinel/owner.json",
  "node_modules/postgres/src/index.js",
  "build/index.js",
  "public/build/root.css",
  "bench/results/dashboard.json",
  "github-app.private-key.pem",
  "test-results/report.json",
];
const contextFiles = [...new Set([...contextFilesOf(ROOT, ignoreRules), ...UNTRACKED.filter((file) => !isExcluded(ignoreRules, file))])];

/** The files the last stage copies from the build context (files of earlier stages arrive only through --from). */
const imageSourceFiles = finalStage
  .filter((instruction) => instruction.keyword === "COPY" || instruction.keyword === "ADD")
  .map(parseCopy)
  .filter((copy) => copy.from === null)
  .flatMap((copy) => contextFiles.filter((file) => copy.sources.some((source) => source === "." || file === source || file.startsWith(`${source}/`))));

describe(".dockerignore: what never reaches the build context", () => {
  it("keeps out secrets, local data, tests, benchmarks, scripts, docs and installed or built files", () => {
    const outside = [
      ".env",
      ".env.production",
      ".env.local",
      "deploy/.env",
      "deploy/.env.staging",
      ".sentinel/x",
      ".sentinel/pglite/base/1/1259",
      "github-app.private-key.pem",
      "tests/support/database.ts",
      "tests/container-image.test.ts",
      "some/dir/x.test.ts",
      "infrastructure/notify/channel-secrets.test.ts",
      "app/routes/settings.channels.test.ts",
      "bench/results/dashboard.json",
      "bench/generate.ts",
      "tests/fakes/github.ts",
      "tests/fixtures/webhooks.ts",
      "e2e/settings.spec.ts",
      "scripts/bench.ts",
      "scripts/harness/stack.ts",
      "docs/decisions/061-postgres-driver-closed-socket-patch.md",
      "README.md",
      "node_modules/postgres/src/index.js",
      "build/index.js",
      "public/build/root.css",
      ".git/config",
      ".ci/run",
    ];
    expect(outside.filter((file) => !isExcluded(ignoreRules, file))).toEqual([]);
  });

  it("lets in what the build and the running image need", () => {
    const inside = [
      "package.json",
      "package-lock.json",
      // The postinstall patch `npm ci` runs (ADR 061), the one file of scripts/ the build uses.
      "scripts/patch-dependencies.mjs",
      "remix.config.js",
      "tailwind.config.ts",
      "postcss.config.js",
      "tsconfig.json",
      "app/root.tsx",
      "bin/sentinel.js",
      "domain/ports.ts",
      "server/start-web.ts",
      "cli/commands/generate.ts",
      "jobs/workers.ts",
      "migrations/meta/_journal.json",
    ];
    expect(inside.filter((file) => isExcluded(ignoreRules, file))).toEqual([]);
  });
});

describe("Dockerfile: the image that runs", () => {
  it("is a multi-stage build whose last stage starts from a Node LTS of 22 or later", () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    const image = finalStage[0]!.text.split(/\s+/)[0]!;
    const major = Number(/^(?:docker\.io\/)?(?:library\/)?node:(\d+)/.exec(image)?.[1]);
    expect(major, `final stage FROM ${image}`).toBeGreaterThanOrEqual(22);
    // Even majors are the LTS lines.
    expect(major % 2, `final stage FROM ${image}`).toBe(0);
  });

  it("installs production dependencies only and builds nothing itself", () => {
    const runs = finalStage.filter((instruction) => instruction.keyword === "RUN").map((instruction) => instruction.text);
    expect(runs.some((run) => /\bnpm ci\b/.test(run) && /--omit=dev\b/.test(run))).toBe(true);
    expect(runs.filter((run) => /\bnpm (?:install|i|ci)\b/.test(run) && !/--omit=dev\b/.test(run))).toEqual([]);
    expect(runs.filter((run) => /\bnpm run build\b|\bremix build\b/.test(run))).toEqual([]);
  });

  it("runs as a user other than root", () => {
    const start = finalStage.findIndex((instruction) => instruction.keyword === "CMD" || instruction.keyword === "ENTRYPOINT");
    expect(start).toBeGreaterThan(0);
    const user = finalStage
      .slice(0, start)
      .filter((instruction) => instruction.keyword === "USER")
      .at(-1)?.text;
    expect(user, "a USER before CMD/ENTRYPOINT").toBeDefined();
    expect(user!.split(":")[0]).not.toMatch(/^(?:root|0)$/);
    // And nothing after CMD switches back.
    expect(finalStage.slice(start).filter((instruction) => instruction.keyword === "USER")).toEqual([]);
  });

  it("copies no whole context into the last stage, and no test, benchmark, script, doc or secret", () => {
    const copies = finalStage.filter((instruction) => instruction.keyword === "COPY" || instruction.keyword === "ADD").map(parseCopy);
    expect(copies.filter((copy) => copy.from === null && copy.sources.includes("."))).toEqual([]);
    // From the build stage only its output: the Remix build and the compiled web and worker, not its /app.
    expect(copies.filter((copy) => copy.from !== null).flatMap((copy) => copy.sources).filter((source) => !/^\/app\/(?:public\/)?build(?:\/|$)/.test(source))).toEqual([]);
    expect(imageSourceFiles.length).toBeGreaterThan(100);
    const forbidden = picomatch(["**/.env", "**/.env.*", "**/.sentinel/**", "tests/**", "e2e/**", "**/*.test.ts", "**/*.test.tsx", "bench/**", "scripts/**", "docs/**", "**/*.md", "**/*.pem"], { dot: true });
    expect(imageSourceFiles.filter((file) => forbidden(file))).toEqual([]);
  });

  it("copies every file the CLI imports (bin/sentinel.js runs the TypeScript through tsx) and the migrations", async () => {
    // The compiled web and worker need only build/ and node_modules; the CLI reads sources, so follow its imports.
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: ["cli/main.ts"],
      bundle: true,
      platform: "node",
      format: "esm",
      packages: "external",
      metafile: true,
      write: false,
      logLevel: "silent",
    });
    const imported = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith("node_modules/"));
    const shipped = new Set(imageSourceFiles);
    expect(imported.length).toBeGreaterThan(50);
    expect(imported.filter((file) => !shipped.has(file))).toEqual([]);
    // `sentinel generate` loads bench/ only when it runs (and says it is a development tool when bench/ is absent):
    // the CLI imports nothing from bench/, tests/, scripts/ or e2e/.
    expect(imported).toContain("cli/commands/generate.ts");
    expect(imported.filter((file) => /^(?:bench|tests|scripts|e2e)\//.test(file))).toEqual([]);
    expect(shipped.has("bin/sentinel.js")).toBe(true);
    const migrations = readdirSync(path.join(ROOT, "migrations"), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"));
    expect(migrations).toContain("migrations/meta/_journal.json");
    expect(migrations.filter((file) => !shipped.has(file))).toEqual([]);
  });


  it("needs no dev dependency at run time: every package the web, the worker and the CLI import is a production one", async () => {
    const { dependencies } = JSON.parse(read("package.json")) as { dependencies: Record<string, string> };
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: ["server/start-web.ts", "server/start-worker.ts", "cli/main.ts"],
      bundle: true,
      platform: "node",
      format: "esm",
      packages: "external",
      metafile: true,
      write: false,
      outdir: "out",
      logLevel: "silent",
    });
    const packages = new Set(
      Object.values(result.metafile.inputs)
        .flatMap((input) => input.imports)
        .filter((imported) => imported.external && !imported.path.startsWith(".") && !imported.path.startsWith("node:") && !builtinModules.includes(imported.path))
        .map((imported) => imported.path.split("/").slice(0, imported.path.startsWith("@") ? 2 : 1).join("/")),
    );
    expect(packages.size).toBeGreaterThan(5);
    expect([...packages].filter((name) => !(name in dependencies))).toEqual([]);
  });
});

describe("docker-compose.yml: the settings that reach the processes", () => {
  const compose = parseYaml(read("docker-compose.yml"), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string | number>; build?: unknown; image?: string }>;
  };
  /** Set by the compose file itself for one role; every other variable is the operator's, from .env. */
  const FIXED: Record<string, Record<string, string | number>> = {
    web: { NODE_ENV: "production", HOST: "0.0.0.0", PORT: 3000 },
    worker: { NODE_ENV: "production", HOST: "0.0.0.0", WORKER_METRICS_PORT: 9464 },
  };
  /** Read by one role only. */
  const ROLE_ONLY: Record<string, string> = { PORT: "web", WORKER_METRICS_PORT: "worker", SENTINEL_FIXED_NOW: "tests only: refused in production" };

  it("keeps PostgreSQL and Redis, and builds the web and worker from this Dockerfile", () => {
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    expect(compose.services.redis?.image).toMatch(/^redis:/);
    expect(compose.services.web?.build).toBeDefined();
    expect(compose.services.worker?.build).toBeDefined();
  });

  it.each(["web", "worker"])("passes every variable infrastructure/config/env.ts reads to %s, from the operator's environment", (service) => {
    const environment = compose.services[service]!.environment ?? {};
    const variables = Object.keys(envSchema.shape).filter((name) => (ROLE_ONLY[name] ?? service) === service);
    expect(variables).toEqual(expect.arrayContaining(["SENTINEL_SECRET_KEY", "SESSION_SECRET", "DATABASE_URL", "REDIS_URL", "GITHUB_APP_ID", "SLACK_BOT_TOKEN", "RESEND_API_KEY", "NOTIFY_ALLOWED_HOSTS"]));
    const missing = variables.filter((name) => !(name in environment));
    expect(missing, "add them to x-sentinel-env in docker-compose.yml").toEqual([]);
    const notFromOperator = variables.filter((name) => FIXED[service]![name] === undefined && !String(environment[name]).startsWith(`\${${name}:`));
    expect(notFromOperator, "each as ${NAME:-default} or ${NAME:?message}").toEqual([]);
    expect(Object.fromEntries(Object.keys(FIXED[service]!).map((name) => [name, environment[name]]))).toEqual(FIXED[service]);
  });

  it("refuses to start without SESSION_SECRET and SENTINEL_SECRET_KEY rather than run with none", () => {
    const environment = compose.services.web!.environment!;
    expect(String(environment.SESSION_SECRET)).toMatch(/^\$\{SESSION_SECRET:\?/);
    expect(String(environment.SENTINEL_SECRET_KEY)).toMatch(/^\$\{SENTINEL_SECRET_KEY:\?/);
  });
});
