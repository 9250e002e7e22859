import { eq } from "drizzle-orm";
import { z } from "zod";
import { createApiKey, listApiKeys, revokeApiKey } from "../../api/api-keys.ts";
import { organizations } from "../../db/schema/index.ts";
import type { Database } from "../../db/client.ts";
import { CliUsageError, parseCliArgs, parseWith, type CliCommand } from "../command.ts";
import { withCliServices } from "../runtime.ts";

const USAGE = [
  "Usage: sentinel api-key create --org <slug> --name <name>",
  "       sentinel api-key list --org <slug>",
  "       sentinel api-key revoke --org <slug> --id <key id>",
  "",
  "Creates, lists or revokes API keys for the JSON API (/api/v1), so scripts and integrations can start without",
  "the dashboard. A new key is printed once, on stdout; only its SHA-256 hash and a display prefix are stored.",
].join("\n");

const orgOption = z.string({ message: "--org <slug> is required" }).min(1, "--org <slug> is required");
const schemas = {
  create: z.object({ org: orgOption, name: z.string({ message: "--name <name> is required" }) }),
  list: z.object({ org: orgOption }),
  revoke: z.object({ org: orgOption, id: z.string({ message: "--id <key id> is required" }).uuid("--id must be a key id (see `sentinel api-key list`)") }),
};

async function findOrganization(db: Database, slug: string): Promise<string> {
  const [org] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug));
  if (!org) throw new CliUsageError(`no organisation with the slug "${slug}"`);
  return org.id;
}

export const apiKeyCommand: CliCommand = {
  name: "api-key",
  summary: "Create, list or revoke API keys for the JSON API",
  usage: USAGE,
  async run(args, io) {
    const parsed = parseCliArgs({
      args,
      options: { org: { type: "string" }, name: { type: "string" }, id: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
    const [action, ...extra] = parsed.positionals;
    if (action !== "create" && action !== "list" && action !== "revoke") {
      throw new CliUsageError(`expected create, list or revoke, got ${action === undefined ? "nothing" : `"${action}"`}`);
    }
    if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);

    if (action === "create") {
      const options = parseWith(schemas.create, parsed.values);
      return withCliServices({ migrate: false }, async ({ services }) => {
        const orgId = await findOrganization(services.db, options.org);
        const result = await createApiKey(services.db, orgId, { name: options.name }, null);
        if (!result.ok) throw new CliUsageError(`--name: ${result.fieldErrors.name}`);
        io.stderr.write(`Created API key "${result.name}" (${result.displayPrefix}…, id ${result.id}). It is shown only now:\n`);
        io.stdout.write(`${result.key}\n`);
        return 0;
      });
    }
    if (action === "list") {
      const options = parseWith(schemas.list, parsed.values);
      return withCliServices({ migrate: false }, async ({ services }) => {
        const keys = await listApiKeys(services.db, await findOrganization(services.db, options.org));
        if (keys.length === 0) io.stderr.write("No API keys yet: `sentinel api-key create --org <slug> --name <name>`.\n");
        for (const key of keys) {
          const state = key.revokedAt ? `revoked ${new Date(key.revokedAt).toISOString()}` : "active";
          io.stdout.write(`${key.id}\t${key.displayPrefix}…\t${key.name}\t${state}\n`);
        }
        return 0;
      });
    }
    const options = parseWith(schemas.revoke, parsed.values);
    return withCliServices({ migrate: false }, async ({ services }) => {
      const orgId = await findOrganization(services.db, options.org);
      const result = await revokeApiKey(services.db, orgId, options.id, new Date());
      if (!result.ok) throw new CliUsageError(`no API key ${options.id} in organisation "${options.org}"`);
      io.stdout.write(`Revoked API key ${options.id}; it is refused from the next request on.\n`);
      return 0;
    });
  },
};
