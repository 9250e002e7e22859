import type { CliCommand } from "../command.ts";
import { analyzeCommand } from "./analyze.ts";
import { apiKeyCommand } from "./api-key.ts";
import { digestCommand } from "./digest.ts";
import { evalCommand } from "./eval.ts";
import { generateCommand } from "./generate.ts";
import { githubAppCommand } from "./github-app.ts";
import { importCommand } from "./import.ts";
import { metricsCommand } from "./metrics.ts";
import { migrateCommand } from "./migrate.ts";
import { purgeCommand } from "./purge.ts";
import { rescoreCommand } from "./rescore.ts";
import { seedDemoCommand } from "./seed-demo.ts";

/** Every `sentinel <command>`; `--help` lists them in this order. */
export const commands: CliCommand[] = [
  migrateCommand,
  seedDemoCommand,
  importCommand,
  analyzeCommand,
  evalCommand,
  metricsCommand,
  digestCommand,
  rescoreCommand,
  purgeCommand,
  apiKeyCommand,
  githubAppCommand,
  generateCommand,
];
