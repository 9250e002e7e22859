/**
 * Keeps the hexagon honest: domain/ is pure TypeScript, and the outer layers depend inwards only.
 * Reading process.env inside domain/ is caught by ESLint (no-restricted-globals), which runs before this.
 */
module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment: "domain/ may not import database, queue, GitHub, Remix or Node I/O modules.",
      severity: "error",
      from: { path: "^domain/" },
      to: {
        path: "(^|/)node_modules/(drizzle-orm|drizzle-kit|postgres|@electric-sql|bullmq|ioredis|@octokit|@remix-run|remix-auth|remix-auth-github|@slack|resend|pino|express)(/|$)",
      },
    },
    {
      name: "domain-no-node-io",
      comment: "domain/ may not touch the file system, network or child processes.",
      severity: "error",
      from: { path: "^domain/" },
      to: { dependencyTypes: ["core"], path: "^(node:)?(fs|fs/promises|net|http|https|child_process|dgram|cluster|worker_threads|process)$" },
    },
    {
      name: "domain-depends-on-nothing-outside",
      severity: "error",
      from: { path: "^domain/" },
      to: { path: "^(app|infrastructure|jobs)/" },
    },
    {
      name: "demo-dataset-is-pure",
      comment:
        "demo/dataset/ is the demo's pure generator, held to domain/'s rules: no database, queue, GitHub, Remix or Node I/O modules, so the same seed always gives the same dataset.",
      severity: "error",
      from: { path: "^demo/dataset/" },
      to: {
        path: "(^|/)node_modules/(drizzle-orm|drizzle-kit|postgres|@electric-sql|bullmq|ioredis|@octokit|@remix-run|remix-auth|remix-auth-github|@slack|resend|pino|express)(/|$)",
      },
    },
    {
      name: "demo-dataset-no-node-io",
      severity: "error",
      from: { path: "^demo/dataset/" },
      to: { dependencyTypes: ["core"], path: "^(node:)?(fs|fs/promises|net|http|https|child_process|dgram|cluster|worker_threads|process)$" },
    },
    {
      name: "demo-dataset-depends-only-on-domain",
      comment: "The generator may use domain/ and itself; seeding, the commit source and the metrics job (the rest of demo/) wire it to the outside.",
      severity: "error",
      from: { path: "^demo/dataset/" },
      to: { path: "^[^/]+/", pathNot: ["^(domain|demo/dataset)/", "(^|/)node_modules/"] },
    },
    {
      name: "domain-not-on-demo",
      comment: "The demo is a client of the domain, never the other way round.",
      severity: "error",
      from: { path: "^domain/" },
      to: { path: "^demo/" },
    },
    {
      name: "infrastructure-not-on-app",
      comment: "Adapters must not reach into Remix routes.",
      severity: "error",
      from: { path: "^(demo|infrastructure|jobs)/", pathNot: "\\.test\\.tsx?$" },
      to: { path: "^app/" },
    },
    {
      name: "no-non-package-json",
      comment:
        "Every package the code imports is declared in package.json: one that only arrives as another package's dependency can vanish or change major version with that package's next release.",
      severity: "error",
      from: {},
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] },
    },
    {
      name: "production-not-on-tests-or-tools",
      comment:
        "Production code (everything but its *.test.ts files) may not import tests/, bench/, scripts/ or e2e/: the image leaves those folders out, and test helpers, fakes and fixtures live in tests/.",
      severity: "error",
      from: { path: "^(app|demo|domain|infrastructure|jobs|bin)/", pathNot: ["\\.test\\.tsx?$", "^cli/commands/generate\\.ts$"] },
      to: { path: "^(tests|bench|scripts|e2e)/" },
    },
    {
      name: "generate-loads-bench-at-run-time",
      comment:
        "`sentinel generate` is the one production file that uses bench/: it loads the generator at run time through a URL no import or bundler follows (and says so when bench/ is absent, as in the image), and takes only its types from a type import.",
      severity: "error",
      from: { path: "^cli/commands/generate\\.ts$" },
      to: { path: "^(tests|bench|scripts|e2e)/", dependencyTypesNot: ["type-import", "type-only"] },
    },
    {
      name: "not-to-dev-dep",
      comment: "Production code may not import devDependencies: the image installs with --omit=dev (tests and tools may).",
      severity: "error",
      from: { path: "^(app|demo|domain|infrastructure|jobs|bin)/", pathNot: "\\.test\\.tsx?$" },
      to: { dependencyTypes: ["npm-dev"], pathNot: ["node_modules/@types/"] },
    },
    {
      name: "no-circular-domain",
      severity: "error",
      from: { path: "^domain/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(build|public/build)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
