import { describe, expect, it } from "vitest";
import { z } from "zod";
import { bufferIo } from "../tests/support/cli.ts";
import { CliUsageError } from "./command.ts";
import { defineCommand } from "./define-command.ts";
import { actionPositional, gitDirPositional, noPositionals } from "./options.ts";

/** A command that echoes the options it was given: what the shared prologue hands to `run`. */
function echo(definition: { flags: Parameters<typeof defineCommand>[0]["flags"]; positionals?: (positionals: string[]) => Record<string, unknown>; options: z.ZodType }) {
  let received: unknown;
  const command = defineCommand({
    name: "echo",
    summary: "",
    usage: "",
    ...definition,
    async run(options) {
      received = options;
      return 0;
    },
  });
  return async (args: string[]) => {
    await command.run(args, bufferIo());
    return received;
  };
}

describe("defineCommand", () => {
  it("hands the schema each flag under its camelCase name, with the fields the positional arguments give", async () => {
    const run = echo({
      flags: { "batch-size": { type: "string" }, json: { type: "boolean", default: false } },
      positionals: gitDirPositional,
      options: z.object({ dir: z.string(), batchSize: z.coerce.number(), json: z.boolean() }),
    });
    expect(await run(["repo", "--batch-size", "5"])).toEqual({ dir: "repo", batchSize: 5, json: false });
  });

  it("reports an unknown flag, a positional argument it does not take and a schema failure as one usage line", async () => {
    const strict = echo({ flags: { limit: { type: "string" } }, options: z.object({ limit: z.coerce.number().positive("expected a positive integer") }) });
    await expect(strict(["--nope"])).rejects.toThrow(new CliUsageError("Unknown option '--nope'"));
    await expect(strict(["extra"])).rejects.toThrow(new CliUsageError("Unexpected argument 'extra'. This command does not take positional arguments"));
    await expect(strict(["--limit", "0"])).rejects.toThrow(new CliUsageError("limit: expected a positive integer"));

    const refusing = echo({ flags: {}, positionals: noPositionals("sentinel echo"), options: z.object({}) });
    await expect(refusing(["extra"])).rejects.toThrow(new CliUsageError('unexpected argument "extra" (usage: sentinel echo)'));
  });

  it("reads an action as the first positional argument and refuses any other", async () => {
    const run = echo({ flags: {}, positionals: actionPositional(["show", "remove"]), options: z.object({ action: z.string() }) });
    expect(await run(["show"])).toEqual({ action: "show" });
    await expect(run([])).rejects.toThrow(new CliUsageError("expected show or remove, got nothing"));
    await expect(run(["list"])).rejects.toThrow(new CliUsageError('expected show or remove, got "list"'));
    await expect(run(["show", "more"])).rejects.toThrow(new CliUsageError('unexpected argument "more"'));
  });

  it("runs the checks made before connecting, so bad input never opens the database", async () => {
    const command = defineCommand({
      name: "echo",
      summary: "",
      usage: "",
      flags: {},
      options: z.object({}),
      database: { migrate: false },
      beforeConnecting() {
        throw new CliUsageError("refused before connecting");
      },
      run: () => Promise.reject(new Error("the database was opened")),
    });
    await expect(command.run([], bufferIo())).rejects.toThrow(new CliUsageError("refused before connecting"));
  });
});
