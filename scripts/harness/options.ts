import { z } from "zod";

/** A whole number from the command line, between 1 and `max`. */
export const wholeNumber = (max: number) =>
  z.coerce.number().int("must be a whole number").min(1, "must be at least 1").max(max, `must be at most ${max}`);

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
