import { parseArgs, type ParseArgsConfig } from "node:util";
import type { z } from "zod";
import type { Services } from "../application/services.ts";
import { CliUsageError, describeZodError, type CliCommand, type CliIo } from "./command.ts";
import { withCliServices } from "./runtime.ts";

interface CommandDefinition<Schema extends z.ZodType> {
  name: string;
  summary: string;
  usage: string;
  /** node:util parseArgs options. A flag reaches the options schema under its camelCase name: --batch-size as batchSize. */
  flags: NonNullable<ParseArgsConfig["options"]>;
  /**
   * The fields the positional arguments give the options schema; throws CliUsageError for one the command does not
   * take. Without it the command takes none, and node:util names the first one given.
   */
  positionals?: (positionals: string[]) => Record<string, unknown>;
  /** Checks the flags and positional fields together: a failure is one line naming the option, and exit code 2. */
  options: Schema;
}

/** A command that needs no database, or opens one its own way. */
interface PlainCommandDefinition<Schema extends z.ZodType> extends CommandDefinition<Schema> {
  database?: undefined;
  run(options: z.infer<Schema>, io: CliIo): Promise<number>;
}

/** A command whose work needs the database (and queue): opened once the options are valid, closed when run ends. */
interface DatabaseCommandDefinition<Schema extends z.ZodType> extends CommandDefinition<Schema> {
  database: { migrate: boolean };
  /** Checks that need no database, made before it is opened: input that cannot succeed opens and writes nothing. */
  beforeConnecting?(options: z.infer<Schema>, io: CliIo): void;
  run(options: z.infer<Schema>, io: CliIo, services: Services): Promise<number>;
}

/** node:util parseArgs, with an unknown or malformed option reported as bad input (one line, exit 2). */
function parseFlags(args: string[], definition: CommandDefinition<z.ZodType>) {
  try {
    return parseArgs({ args, options: definition.flags, allowPositionals: definition.positionals !== undefined, strict: true });
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
}

function camelCase(flag: string): string {
  return flag.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());
}

/** The prologue every command shares: the arguments, then the options schema over flags and positional fields. */
function parseOptions<Schema extends z.ZodType>(args: string[], definition: CommandDefinition<Schema>): z.infer<Schema> {
  const parsed = parseFlags(args, definition);
  const flags = Object.fromEntries(Object.entries(parsed.values).map(([flag, value]) => [camelCase(flag), value]));
  const result = definition.options.safeParse({ ...flags, ...definition.positionals?.(parsed.positionals) });
  if (!result.success) throw new CliUsageError(describeZodError(result.error));
  return result.data;
}

/**
 * A `sentinel <command>` that reads as its options, then its work: the arguments are parsed and checked before `run`,
 * and a command that declares `database` gets the services, closed again however `run` ends.
 */
export function defineCommand<Schema extends z.ZodType>(
  definition: PlainCommandDefinition<Schema> | DatabaseCommandDefinition<Schema>,
): CliCommand {
  return {
    name: definition.name,
    summary: definition.summary,
    usage: definition.usage,
    async run(args, io) {
      const options = parseOptions(args, definition);
      if (definition.database === undefined) return definition.run(options, io);
      definition.beforeConnecting?.(options, io);
      return withCliServices(definition.database, (services) => definition.run(options, io, services));
    },
  };
}
