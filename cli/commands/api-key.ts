import { eq } from "drizzle-orm";
import { z } from "zod";
import { createApiKey, describeApiKeyExpiry, listApiKeys, parseCreateApiKeyInput, revokeApiKey } from "../../application/access/api-keys.server.ts";
import { organizations } from "../../infrastructure/db/schema/index.ts";
import type { Database } from "../../infrastructure/db/client.ts";
import { systemClock } from "../../server/services.ts";
import { CliUsageError, type CliIo } from "../command.ts";
import { defineCommand } from "../define-command.ts";
import { actionPositional } from "../options.ts";

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
const optionsSchema = z.discriminatedUnion("action", [
  z.object({
    action: z.literal("create"),
    org: orgOption,
    name: z.string({ message: "--name <name> is required" }),
    scope: z.string().optional(),
    expires: z.string().optional(),
  }),
  z.object({ action: z.literal("list"), org: orgOption }),
  z.object({
    action: z.literal("revoke"),
    org: orgOption,
    id: z.string({ message: "--id <key id> is required" }).uuid("--id must be a key id (see `sentinel api-key list`)"),
  }),
]);
type Options<Action extends string> = Extract<z.infer<typeof optionsSchema>, { action: Action }>;

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

/** "90d" and "in the future" are measured from here; tests pin it with io.clock. */
function now(io: CliIo): Date {
  return (io.clock ?? systemClock).now();
}

function createInput(options: Options<"create">) {
  return { name: options.name, scope: options.scope, expires: options.expires };
}

async function createKey(db: Database, orgId: string, options: Options<"create">, io: CliIo): Promise<number> {
  const result = await createApiKey(db, orgId, createInput(options), null, now(io));
  if (!result.ok) throw new CliUsageError(describeFieldErrors(result.fieldErrors));
  const expiry = result.expiresAt ? `expires ${result.expiresAt.toISOString()}` : "never expires";
  io.stderr.write(`Created ${result.scope} API key "${result.name}" (${result.displayPrefix}…, id ${result.id}, ${expiry}). It is shown only now:\n`);
  io.stdout.write(`${result.key}\n`);
  return 0;
}

async function listKeys(db: Database, orgId: string, io: CliIo): Promise<number> {
  const keys = await listApiKeys(db, orgId);
  if (keys.length === 0) io.stderr.write("No API keys yet: `sentinel api-key create --org <slug> --name <name>`.\n");
  const at = now(io);
  for (const key of keys) {
    const state = key.revokedAt ? `revoked ${new Date(key.revokedAt).toISOString()}` : "active";
    const expiry = key.expiresAt ? `${describeApiKeyExpiry(key.expiresAt, at)} (${key.expiresAt})` : describeApiKeyExpiry(null, at);
    io.stdout.write(`${key.id}\t${key.displayPrefix}…\t${key.name}\t${key.scope}\t${state}\t${expiry}\n`);
  }
  return 0;
}

async function revokeKey(db: Database, orgId: string, options: Options<"revoke">, io: CliIo): Promise<number> {
  const result = await revokeApiKey(db, orgId, options.id, now(io));
  if (!result.ok) throw new CliUsageError(`no API key ${options.id} in organisation "${options.org}"`);
  io.stdout.write(`Revoked API key ${options.id}; it is refused from the next request on.\n`);
  return 0;
}

export const apiKeyCommand = defineCommand({
  name: "api-key",
  summary: "Create, list or revoke API keys for the JSON API",
  usage: USAGE,
  flags: { org: { type: "string" }, name: { type: "string" }, id: { type: "string" }, scope: { type: "string" }, expires: { type: "string" } },
  positionals: actionPositional(["create", "list", "revoke"]),
  options: optionsSchema,
  database: { migrate: false },
  // The same validation as the settings form, before any connection is opened: bad input writes nothing.
  beforeConnecting(options, io) {
    if (options.action !== "create") return;
    const fields = parseCreateApiKeyInput(createInput(options), now(io));
    if (!fields.ok) throw new CliUsageError(describeFieldErrors(fields.fieldErrors));
  },
  async run(options, io, services) {
    const orgId = await findOrganization(services.db, options.org);
    if (options.action === "create") return createKey(services.db, orgId, options, io);
    if (options.action === "list") return listKeys(services.db, orgId, io);
    return revokeKey(services.db, orgId, options, io);
  },
});
