/**
 * Keeps the hexagon honest: domain/ is pure TypeScript, and the outer layers depend inwards only.
 * Reading process.env inside domain/ is caught by ESLint (no-restricted-globals), which runs before this.
 */

/** Packages that reach a database, queue, GitHub, Remix, Slack, mail, logs or an HTTP server: pure code uses none. */
const IO_PACKAGES =
  "(^|/)node_modules/(drizzle-orm|drizzle-kit|postgres|@electric-sql|bullmq|ioredis|@octokit|@remix-run|remix-auth|remix-auth-github|@slack|resend|pino|express)(/|$)";
/** Node's modules for the file system, network, child processes and threads. */
const NODE_IO = "^(node:)?(fs|fs/promises|net|http|https|child_process|dgram|cluster|worker_threads|process)$";
const TEST_FILES = "\\.test\\.tsx?$";
/** The folders of production code: the layers. */
const LAYERS = ["app", "application", "bin", "cli", "demo", "domain", "infrastructure", "jobs", "server"];
/** Folders the production image leaves out. */
const TOOL_FOLDERS = ["tests", "bench", "scripts", "e2e"];

/** A path pattern for the files under any of `folders`. */
function under(folders) {
  return folders.length === 1 ? `^${folders[0]}/` : `^(${folders.join("|")})/`;
}

/** Every rule here fails the check; a rule without a comment has no `comment` key (the config schema wants a string). */
function forbid({ name, comment, from, to }) {
  return { name, ...(comment === undefined ? {} : { comment }), severity: "error", from, to };
}

/** Pure code (the same input always gives the same output) imports no I/O package and no Node I/O module. */
function pureCodeRules({ prefix, folder, packagesComment, nodeIoComment }) {
  return [
    forbid({ name: `${prefix}-is-pure`, comment: packagesComment, from: { path: under([folder]) }, to: { path: IO_PACKAGES } }),
    forbid({ name: `${prefix}-no-node-io`, comment: nodeIoComment, from: { path: under([folder]) }, to: { dependencyTypes: ["core"], path: NODE_IO } }),
  ];
}

/**
 * A layer's outward arrows: its files (tests beside the code aside, unless `testsToo`) import their own layer, the
 * layers in `mayUse` and packages only. `checkedElsewhere` names layers another rule forbids in its own words, and
 * `exceptFiles` the files of a forbidden layer that may still be imported.
 */
function layerRule({ name, comment, layer, mayUse, checkedElsewhere = [], testsToo = false, exceptFiles }) {
  const forbidden = LAYERS.filter((other) => other !== layer && !mayUse.includes(other) && !checkedElsewhere.includes(other));
  return forbid({
    name,
    comment,
    from: testsToo ? { path: under([layer]) } : { path: under([layer]), pathNot: TEST_FILES },
    to: exceptFiles === undefined ? { path: under(forbidden) } : { path: under(forbidden), pathNot: exceptFiles },
  });
}

module.exports = {
  forbidden: [
    ...pureCodeRules({
      prefix: "domain",
      folder: "domain",
      packagesComment: "domain/ may not import database, queue, GitHub, Remix or Node I/O modules.",
      nodeIoComment: "domain/ may not touch the file system, network or child processes.",
    }),
    layerRule({ name: "domain-depends-on-nothing-outside", layer: "domain", mayUse: [], checkedElsewhere: ["demo"], testsToo: true }),
    ...pureCodeRules({
      prefix: "demo-dataset",
      folder: "demo/dataset",
      packagesComment:
        "demo/dataset/ is the demo's pure generator, held to domain/'s rules: no database, queue, GitHub, Remix or Node I/O modules, so the same seed always gives the same dataset.",
    }),
    forbid({
      name: "demo-dataset-depends-only-on-domain",
      comment: "The generator may use domain/ and itself; seeding, the commit source and the metrics job (the rest of demo/) wire it to the outside.",
      from: { path: under(["demo/dataset"]) },
      to: { path: "^[^/]+/", pathNot: ["^(domain|demo/dataset)/", "(^|/)node_modules/"] },
    }),
    forbid({
      name: "domain-not-on-demo",
      comment: "The demo is a client of the domain, never the other way round.",
      from: { path: under(["domain"]) },
      to: { path: under(["demo"]) },
    }),
    layerRule({
      name: "demo-is-not-a-driver",
      comment:
        "The rest of demo/ (seeding and the demo's commit source) builds on domain/, infrastructure/ and application/ (its metrics job is in jobs/); the drivers and the composition root (bin, cli, server) call it, never the other way round.",
      layer: "demo",
      mayUse: ["application", "domain", "infrastructure"],
    }),
    layerRule({
      name: "application-on-domain-and-adapters",
      comment:
        "application/ (use-cases) depends inwards on domain/, and on infrastructure/ for the db handle, schema and adapters: a use-case is a function over ports or a db handle (the pragmatic reading: no repository wrapper around Drizzle). It never reaches the drivers that call it (app, jobs, cli), the composition root (server) or the demo.",
      layer: "application",
      mayUse: ["domain", "infrastructure"],
      // demo/commit-source.ts is an adapter of the CommitSource port (the GitHub simulator), kept with the rest of the demo.
      exceptFiles: "^demo/commit-source\\.ts$",
    }),
    layerRule({
      name: "infrastructure-is-adapters-only",
      comment:
        "infrastructure/ holds adapters (db, queue, github, git, notify, crypto, logging, observability, config, http): they implement domain/ ports and call no use-case, job, route, CLI command or the composition root.",
      layer: "infrastructure",
      mayUse: ["domain"],
    }),
    layerRule({
      name: "jobs-call-use-cases",
      comment:
        "A job processor parses its payload and calls a use-case; server/ wires it (the services bag's type is application/services.ts), and it never reaches routes, the CLI or the composition root.",
      layer: "jobs",
      mayUse: ["application", "domain", "infrastructure"],
    }),
    layerRule({
      name: "app-calls-use-cases",
      comment:
        "Routes call presenters and use-cases (application/), never job processors, CLI commands or the composition root: the services bag the load context carries is typed by application/services.ts.",
      layer: "app",
      mayUse: ["application", "domain", "infrastructure"],
    }),
    layerRule({
      name: "cli-is-a-driver",
      comment: "cli/ calls use-cases and builds its services through server/ (the composition root), like the web and worker; it never imports Remix routes.",
      layer: "cli",
      mayUse: ["application", "bin", "demo", "domain", "infrastructure", "jobs", "server"],
    }),
    forbid({
      name: "infrastructure-not-on-app",
      comment: "Adapters must not reach into Remix routes.",
      from: { path: under(["demo", "infrastructure", "jobs"]), pathNot: TEST_FILES },
      to: { path: under(["app"]) },
    }),
    forbid({
      name: "no-non-package-json",
      comment:
        "Every package the code imports is declared in package.json: one that only arrives as another package's dependency can vanish or change major version with that package's next release.",
      from: {},
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] },
    }),
    forbid({
      name: "production-not-on-tests-or-tools",
      comment:
        "Production code (everything but its *.test.ts files) may not import tests/, bench/, scripts/ or e2e/: the image leaves those folders out, and test helpers, fakes and fixtures live in tests/.",
      from: { path: under(LAYERS), pathNot: [TEST_FILES, "^cli/commands/generate\\.ts$"] },
      to: { path: under(TOOL_FOLDERS) },
    }),
    forbid({
      name: "generate-loads-bench-at-run-time",
      comment:
        "`sentinel generate` is the one production file that uses bench/: it loads the generator at run time through a URL no import or bundler follows (and says so when bench/ is absent, as in the image), and takes only its types from a type import.",
      from: { path: "^cli/commands/generate\\.ts$" },
      to: { path: under(TOOL_FOLDERS), dependencyTypesNot: ["type-import", "type-only"] },
    }),
    forbid({
      name: "not-to-dev-dep",
      comment: "Production code may not import devDependencies: the image installs with --omit=dev (tests and tools may).",
      from: { path: under(LAYERS), pathNot: TEST_FILES },
      to: { dependencyTypes: ["npm-dev"], pathNot: ["node_modules/@types/"] },
    }),
    forbid({
      name: "no-circular",
      comment: "No import cycle anywhere in the tree (tests included): a cycle makes load order matter and hides which module depends on which.",
      from: {},
      to: { circular: true },
    }),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(build|public/build)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
