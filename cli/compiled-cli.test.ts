import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commands } from "./commands/index.ts";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");

/**
 * `npm run build` bundles the CLI into build/cli/sentinel.js (issue 19: `sentinel --help` answered in 8 s through tsx).
 * CI runs the build before the unit tests (package.json "test"), so the bundle is there to run.
 */
describe("the compiled CLI", () => {
  it("answers --help with every command, run by plain node from build/cli", async () => {
    const { stdout } = await run(process.execPath, [path.join(ROOT, "build/cli/sentinel.js"), "--help"], { cwd: ROOT });
    expect(stdout).toMatch(/^Usage: sentinel <command> \[options\]/);
    const listed = stdout.split("\n").map((line) => line.trim().split(/\s{2,}/));
    for (const command of commands) expect(listed).toContainEqual([command.name, command.summary]);
  });
});

/**
 * bin/sentinel.js in a checkout of its own: a fake bundle and a fake cli/main.ts say which of the two ran, so the test
 * shows the choice without building anything.
 */
describe("bin/sentinel.js chooses between the bundle and the sources", () => {
  let checkout: string;
  const source = () => path.join(checkout, "cli/main.ts");
  const bundle = () => path.join(checkout, "build/cli/sentinel.js");

  beforeAll(() => {
    checkout = fs.mkdtempSync(path.join(os.tmpdir(), "sentinel-bin-"));
    fs.mkdirSync(path.join(checkout, "bin"));
    fs.mkdirSync(path.join(checkout, "cli"));
    fs.mkdirSync(path.join(checkout, "build/cli"), { recursive: true });
    fs.copyFileSync(path.join(ROOT, "bin/sentinel.js"), path.join(checkout, "bin/sentinel.js"));
    fs.writeFileSync(path.join(checkout, "package.json"), JSON.stringify({ type: "module" }));
    // tsx, for the fallback, from the real install.
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(checkout, "node_modules"), "dir");
    fs.writeFileSync(source(), 'const ran: string = "sources";\nconsole.log(ran, process.argv.slice(2).join(" "));\n');
  });
  afterAll(() => {
    fs.rmSync(checkout, { recursive: true, force: true });
  });

  function writeBundle(builtAt: Date) {
    fs.writeFileSync(bundle(), 'console.log("compiled", process.argv.slice(2).join(" "));\n');
    fs.writeFileSync(path.join(checkout, "build/cli/metafile.json"), JSON.stringify({ inputs: { "cli/main.ts": {}, "cli/removed-since.ts": {}, "node_modules/zod/index.js": {} } }));
    fs.utimesSync(bundle(), builtAt, builtAt);
  }
  const ranWith = async (...args: string[]) => (await run(process.execPath, [path.join(checkout, "bin/sentinel.js"), ...args])).stdout.trim();

  it("runs the TypeScript sources through tsx when nothing is built", async () => {
    expect(await ranWith("--help")).toBe("sources --help");
  });

  it("runs the bundle when no source it was built from is newer than it", async () => {
    const sourceTime = new Date("2026-03-01T10:00:00Z");
    fs.utimesSync(source(), sourceTime, sourceTime);
    writeBundle(new Date("2026-03-01T10:00:05Z"));
    expect(await ranWith("migrate", "--help")).toBe("compiled migrate --help");
  });

  it("runs the sources, not yesterday's bundle, once a source has changed since the build", async () => {
    writeBundle(new Date("2026-03-01T10:00:05Z"));
    const edited = new Date("2026-03-01T10:07:00Z");
    fs.utimesSync(source(), edited, edited);
    expect(await ranWith("--help")).toBe("sources --help");
  });
});
