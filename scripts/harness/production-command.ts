import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * What `npm run start:web` / `npm run start:worker` run (`node [flags] build/server/<entry>.js`), read from
 * package.json so the benchmarks start the processes production starts, node flags included (ADR 024): the entry's
 * absolute path, then the flags. Fails with what to do when the compiled entry is missing.
 */
export function productionCommand(script: "start:web" | "start:worker"): { entry: string; flags: string[] } {
  const packageJson = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const command = packageJson.scripts[script] ?? "";
  const [program, ...words] = command.split(/\s+/);
  const entry = words.at(-1) ?? "";
  if (program !== "node" || !entry.startsWith("build/server/")) throw new Error(`package.json "${script}" is not \`node [flags] build/server/…\`: ${command}`);
  const absolute = path.join(ROOT, entry);
  if (!existsSync(absolute)) throw new Error(`no compiled ${script.slice("start:".length)} process at ${absolute}: run \`npm run build\` first`);
  return { entry: absolute, flags: words.slice(0, -1) };
}
