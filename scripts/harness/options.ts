import { parseArgs, type ParseArgsConfig } from "node:util";

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;
import { z } from "zod";

/** A whole number from the command line, between 1 and `max`. */
export const wholeNumber = (max: number) =>
  z.coerce.number({ message: "must be a whole number" }).int("must be a whole number").min(1, "must be at least 1").max(max, `must be at most ${max}`);

/** Parses the options or prints what is wrong with each, and the usage, and exits 2. */
export function parseOptionsOrExit<T extends z.ZodType>(label: string, schema: T, values: unknown, usage: string): z.infer<T> {
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`${label}: --${issue.path.join(".")} ${issue.message}`);
    console.error(usage);
    process.exit(2);
  }
  return parsed.data;
}

type ArgValues<T extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: T }>>["values"];

/**
 * The command line's options, or: `--help` prints the usage and exits 0; an unknown option or a malformed value
 * (`--deliveries -5`, which parseArgs throws on) prints what is wrong and the usage, and exits 2, before anything starts.
 */
export function readArgsOrExit<const T extends ParseArgsOptionsConfig>(label: string, options: T, usage: string): ArgValues<T> {
  let parsed: { values: ArgValues<T> & { help?: boolean } };
  try {
    parsed = parseArgs({ options: { ...options, help: { type: "boolean", default: false } } }) as typeof parsed;
  } catch (error) {
    console.error(`${label}: ${(error as Error).message}`);
    console.error(usage);
    process.exit(2);
  }
  const { help, ...values } = parsed.values;
  if (help) {
    console.log(usage);
    process.exit(0);
  }
  return values as ArgValues<T>;
}
