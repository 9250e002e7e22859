#!/usr/bin/env node
// The `sentinel` CLI. `npm run build` bundles it into build/cli/sentinel.js, which starts in well under a second;
// without that build, or when a source it was built from has changed since, tsx compiles the TypeScript on the fly
// (a couple of seconds) so a checkout still works before its first build and never runs yesterday's code.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const compiled = path.join(root, "build/cli/sentinel.js");
const metafile = path.join(root, "build/cli/metafile.json");

/**
 * Why the compiled CLI cannot be used, or null when it can. It is stale when any source esbuild read to build it
 * (its metafile lists them, relative to the repository) is newer than the bundle: checking only that the bundle
 * exists would let an edited command silently run its old code. A source that no longer exists does not make it
 * stale on its own: whatever imported it has changed too, and that file's time says so.
 */
function whyNotCompiled() {
  let builtAt;
  let inputs;
  try {
    builtAt = statSync(compiled).mtimeMs;
    inputs = Object.keys(JSON.parse(readFileSync(metafile, "utf8")).inputs);
  } catch {
    return "no compiled CLI (npm run build makes one)";
  }
  for (const input of inputs) {
    if (input.startsWith("node_modules/")) continue;
    const changedAt = statSync(path.join(root, input), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (changedAt > builtAt) return `${input} changed since the last build (npm run build refreshes it)`;
  }
  return null;
}

/** `sentinel generate` imports bench/*.ts when it runs, compiled or not: only TypeScript through tsx loads them. */
const needsTypeScriptAtRunTime = process.argv[2] === "generate";

const reason = whyNotCompiled();
process.env.SENTINEL_CLI_ENTRY = "1";
if (reason !== null || needsTypeScriptAtRunTime) {
  const { register } = await import("tsx/esm/api");
  register();
}
if (reason === null) {
  await import(pathToFileURL(compiled).href);
} else {
  // Only on a terminal: the sources run correctly, just slower, and scripts and tests read stderr line by line.
  if (process.stderr.isTTY) process.stderr.write(`sentinel: running the TypeScript sources through tsx (slower): ${reason}.\n`);
  await import("../cli/main.ts");
}
