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
      to: { path: "^(app|application|bin|cli|infrastructure|jobs|server)/" },
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
      name: "demo-is-not-a-driver",
      comment:
        "The rest of demo/ (seeding, the demo's commit source, its metrics job) builds on domain/, infrastructure/, application/ and the job definitions; the drivers and the composition root (app, bin, cli, server) call it, never the other way round.",
      severity: "error",
      from: { path: "^demo/", pathNot: "\\.test\\.tsx?$" },
      to: { path: "^(app|bin|cli|server)/" },
    },
    {
      name: "application-on-domain-and-adapters",
      comment:
        "application/ (use-cases) depends inwards on domain/, and on infrastructure/ for the db handle, schema and adapters: a use-case is a function over ports or a db handle (the pragmatic reading: no repository wrapper around Drizzle). It never reaches the drivers that call it (app, jobs, cli), the composition root (server) or the demo.",
      severity: "error",
      from: { path: "^application/", pathNot: "\\.test\\.tsx?$" },
      // demo/commit-source.ts is an adapter of the CommitSource port (the GitHub simulator), kept with the rest of the demo.
      to: { path: "^(app|bin|cli|demo|jobs|server)/", pathNot: "^demo/commit-source\\.ts$" },
    },
    {
      name: "infrastructure-is-adapters-only",
      comment: "infrastructure/ holds adapters (db, queue, github, git, notify, crypto, logging, observability, config, http): they implement domain/ ports and call no use-case, job, route, CLI command or the composition root.",
      severity: "error",
      from: { path: "^infrastructure/", pathNot: "\\.test\\.tsx?$" },
      to: { path: "^(app|application|bin|cli|demo|jobs|server)/" },
    },
    {
      name: "jobs-call-use-cases",
      comment:
        "A job processor parses its payload and calls a use-case; server/ wires it (the services bag's type is application/services.ts), and it never reaches routes, the CLI or the composition root.",
      severity: "error",
      from: { path: "^jobs/", pathNot: "\\.test\\.tsx?$" },
      to: { path: "^(app|bin|cli|server)/" },
    },
    {
      name: "app-calls-use-cases",
      comment:
        "Routes call presenters and use-cases (application/), never job processors, CLI commands or the composition root: the services bag the load context carries is typed by application/services.ts.",
      severity: "error",
      from: { path: "^app/", pathNot: "\\.test\\.tsx?$" },
      to: { path: "^(bin|cli|jobs|server)/" },
    },
    {
      name: "cli-is-a-driver",
      comment: "cli/ calls use-cases and builds its services through server/ (the composition root), like the web and worker; it never imports Remix routes.",
      severity: "error",
      from: { path: "^cli/", pathNot: "\\.test\\.tsx?$" },
      to: { path: "^app/" },
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
      from: { path: "^(app|application|bin|cli|demo|domain|infrastructure|jobs|server)/", pathNot: ["\\.test\\.tsx?$", "^cli/commands/generate\\.ts$"] },
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
      from: { path: "^(app|application|bin|cli|demo|domain|infrastructure|jobs|server)/", pathNot: "\\.test\\.tsx?$" },
      to: { dependencyTypes: ["npm-dev"], pathNot: ["node_modules/@types/"] },
    },
    {
      name: "no-circular",
      comment: "No import cycle anywhere in the tree (tests included): a cycle makes load order matter and hides which module depends on which.",
      severity: "error",
      from: {},
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
