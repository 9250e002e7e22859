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
      name: "infrastructure-not-on-app",
      comment: "Adapters must not reach into Remix routes.",
      severity: "error",
      from: { path: "^(infrastructure|jobs)/", pathNot: "\\.test\\.tsx?$" },
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
      name: "not-to-dev-dep",
      comment: "Production code may not import devDependencies: the image installs with --omit=dev (tests and tools may).",
      severity: "error",
      from: { path: "^(app|domain|infrastructure|jobs)/", pathNot: ["\\.test\\.tsx?$", "^infrastructure/bench/", "(^|/)(test-|fake-|testing)[^/]*$", "-contract\\.ts$", "/webhook-fixtures\\.ts$", "/corpus-fixture\\.ts$", "/test-support\\.ts$"] },
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
