import { eq } from "drizzle-orm";
import { z } from "zod";
import { createApiKey, describeApiKeyExpiry, listApiKeys, parseCreateApiKeyInput, revokeApiKey } from "../../application/access/api-keys.server.ts";
import { organizations } from "../../infrastructure/db/schema/index.ts";
import type { Database } from "../../infrastructure/db/client.ts";
import { CliUsageError, parseCliArgs, parseWith, type CliCommand } from "../command.ts";
import { systemClock } from "../../server/services.ts";
import { withCliServices } from "../runtime.ts";

const USAGE = [
  "Usage: sentinel api-key create --org <slug> --name <name> [--scope read|write] [--expires 90d|2027-03-01]",
  "       sentinel api-key list --org <slug>",
  "       sentinel api-key revoke --org <slug> --id <key id>",
  "",
  "Creates, lists or revokes API keys for the JSON API (/api/v1), so scripts and integrations can start without",
  "the dashboard. A new key is printed once, on stdout; only its SHA-256 hash and a display prefix are stored.",
  "",
  "  --scope    read (the default) calls GET endpoints only; write may also create incidents and acknowledge alerts",
  "  --expires  a number of days (1d to 3650d) or a future date (a date alone means 00:00 UTC); without it the key",
  "             never expires",
].join("\n");

const orgOption = z.string({ message: "--org <slug> is required" }).min(1, "--org <slug> is required");
const schemas = {
  create: z.object({
    org: orgOption,
    name: z.string({ message: "--name <name> is required" }),
    scope: z.string().optional(),
    expires: z.string().optional(),
  }),
  list: z.object({ org: orgOption }),
  revoke: z.object({ org: orgOption, id: z.string({ message: "--id <key id> is required" }).uuid("--id must be a key id (see `sentinel api-key list`)") }),
};

async function findOrganization(db: Database, slug: string): Promise<string> {
  const [org] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug));
  if (!org) throw new CliUsageError(`no organisation with the slug "${slug}"`);
  return org.id;
}

/** "--scope: choose the scope read or write; --expires: …", in the words of the options people typed. */
function describeFieldErrors(fieldErrors: Record<string, string>): string {
  return Object.entries(fieldErrors)
    .map(([field, message]) => `--${field}: ${message}`)
    .join("; ");
}

export const apiKeyCommand: CliCommand = {
  name: "api-key",
  summary: "Create, list or revoke API keys for the JSON API",
  usage: USAGE,
  async run(args, io) {
    const parsed = parseCliArgs({
      args,
      options: { org: { type: "string" }, name: { type: "string" }, id: { type: "string" }, scope: { type: "string" }, expires: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
    const [action, ...extra] = parsed.positionals;
    if (action !== "create" && action !== "list" && action !== "revoke") {
      throw new CliUsageError(`expected create, list or revoke, got ${action === undefined ? "nothing" : `"${action}"`}`);
    }
    if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);

    // "90d" and "in the future" are measured from here; tests pin it with io.clock.
    const now = (io.clock ?? systemClock).now();
    if (action === "create") {
      const options = parseWith(schemas.create, parsed.values);
      // The same validation as the settings form, before any connection is opened: bad input writes nothing.
      const input = { name: options.name, scope: options.scope, expires: options.expires };
      const fields = parseCreateApiKeyInput(input, now);
      if (!fields.ok) throw new CliUsageError(describeFieldErrors(fields.fieldErrors));
      return withCliServices({ migrate: false }, async ({ services }) => {
        const orgId = await findOrganization(services.db, options.org);
        const result = await createApiKey(services.db, orgId, input, null, now);
        if (!result.ok) throw new CliUsageError(describeFieldErrors(result.fieldErrors));
        const expiry = result.expiresAt ? `expires ${result.expiresAt.toISOString()}` : "never expires";
        io.stderr.write(`Created ${result.scope} API key "${result.name}" (${result.displayPrefix}…, id ${result.id}, ${expiry}). It is shown only now:\n`);
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
          const expiry = key.expiresAt ? `${describeApiKeyExpiry(key.expiresAt, now)} (${key.expiresAt})` : describeApiKeyExpiry(null, now);
          io.stdout.write(`${key.id}\t${key.displayPrefix}…\t${key.name}\t${key.scope}\t${state}\t${expiry}\n`);
        }
        return 0;
      });
    }
    const options = parseWith(schemas.revoke, parsed.values);
    return withCliServices({ migrate: false }, async ({ services }) => {
      const orgId = await findOrganization(services.db, options.org);
      const result = await revokeApiKey(services.db, orgId, options.id, now);
      if (!result.ok) throw new CliUsageError(`no API key ${options.id} in organisation "${options.org}"`);
      io.stdout.write(`Revoked API key ${options.id}; it is refused from the next request on.\n`);
      return 0;
    });
  },
};
