// The option schemas and positional-argument readers several commands share, so they word their errors alike.
import { z } from "zod";
import { parseLocalDate } from "../domain/metrics/time.ts";
import { CliUsageError } from "./command.ts";

export const orgSlugOption = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, "--org must be a slug: lower-case letters, digits and '-'")
  .optional();

export const repoOption = z
  .string()
  .regex(/^[\w.-]+\/[\w.-]+$/, "--repo must be owner/name")
  .optional();

/** A calendar day YYYY-MM-DD, as the metrics read it (a local day in the organisation's zone). */
export function localDateOption(flag: string) {
  return z.string().refine((value) => {
    try {
      parseLocalDate(value);
      return true;
    } catch {
      return false;
    }
  }, `${flag} must be a date YYYY-MM-DD`);
}

export function wholeNumberOption(flag: string, bounds: { min?: number; max?: number } = {}) {
  let schema = z.coerce.number({ message: `${flag} must be a whole number` }).int(`${flag} must be a whole number`);
  if (bounds.min !== undefined) schema = schema.min(bounds.min, `${flag} must be at least ${bounds.min}`);
  if (bounds.max !== undefined) schema = schema.max(bounds.max, `${flag} must be at most ${bounds.max.toLocaleString("en-US")}`);
  return schema;
}

/** For a command that takes no positional argument but wants its refusal to show the usage in brief. */
export function noPositionals(usage: string) {
  return (positionals: string[]): Record<string, never> => {
    if (positionals.length > 0) throw new CliUsageError(`unexpected argument "${positionals[0]}" (usage: ${usage})`);
    return {};
  };
}

/** The one optional <git-dir> of analyze and import; the options schema says when it is missing. */
export function gitDirPositional(positionals: string[]): { dir: string | undefined } {
  if (positionals.length > 1) throw new CliUsageError(`expected one <git-dir>, got ${positionals.length}`);
  return { dir: positionals[0] };
}

/** "sentinel api-key create …": the first positional argument is the action, one of `actions`, and nothing follows. */
export function actionPositional<Action extends string>(actions: readonly Action[]) {
  const expected = `${actions.slice(0, -1).join(", ")} or ${actions.at(-1)}`;
  return (positionals: string[]): { action: Action } => {
    const [action, ...extra] = positionals;
    if (!actions.includes(action as Action)) {
      throw new CliUsageError(`expected ${expected}, got ${action === undefined ? "nothing" : `"${action}"`}`);
    }
    if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
    return { action: action as Action };
  };
}
