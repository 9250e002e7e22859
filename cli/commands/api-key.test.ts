import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { bufferIo, useCliDatabase } from "../../tests/support/cli.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import type { TestDatabase } from "../../tests/support/database.ts";
import { authenticateApiKey } from "../../application/access/api-keys.server.ts";
import { apiKeys, organizations } from "../../infrastructure/db/schema/index.ts";
import { runCli } from "../main.ts";

/** The CLI's "now": "--expires 90d" counts from here, and "in the future" is judged against it. */
const NOW = new Date("2026-11-01T09:30:00Z");
const DAY_MS = 86_400_000;

let database: TestDatabase;

async function storedKey(name: string) {
  const [row] = await database.db.select({ scope: apiKeys.scope, expiresAt: apiKeys.expiresAt }).from(apiKeys).where(eq(apiKeys.name, name));
  return row;
}

useCliDatabase(async (created) => {
  database = created;
  await database.db.insert(organizations).values({ slug: "acme", name: "Acme" });
});

describe("sentinel api-key", () => {
  it("creates a key that is printed once and works against the API, lists it, and revokes it at once", async () => {
    const created = bufferIo();
    expect(await runCli(["api-key", "create", "--org", "acme", "--name", "deploy pipeline"], created)).toBe(0);
    const key = created.out().trim();
    expect(key).toMatch(/^snt_/);
    expect(created.err()).toContain('Created read API key "deploy pipeline"');
    expect(await authenticateApiKey(database.db, key, NOW)).toMatchObject({ ok: true, principal: { scope: "read" } });

    const [stored] = await database.sql<{ key_hash: string; display_prefix: string }[]>`select key_hash, display_prefix from api_keys`;
    expect(stored!.key_hash).not.toContain(key);
    expect(key.startsWith(stored!.display_prefix)).toBe(true);

    const listed = bufferIo();
    expect(await runCli(["api-key", "list", "--org", "acme"], listed)).toBe(0);
    const [id] = listed.out().split("\t");
    expect(listed.out()).toContain("deploy pipeline\tread\tactive\tnever expires");

    const revoked = bufferIo();
    expect(await runCli(["api-key", "revoke", "--org", "acme", "--id", id!], revoked)).toBe(0);
    expect(await authenticateApiKey(database.db, key, NOW)).toEqual({ ok: false, code: "INVALID_KEY" });
  });

  it("creates a write key that expires 90 days after the pinned clock, and lists its scope and expiry", async () => {
    const created = bufferIo({ clock: fixedClock(NOW) });
    expect(await runCli(["api-key", "create", "--org", "acme", "--name", "incident bot", "--scope", "write", "--expires", "90d"], created)).toBe(0);
    const key = created.out().trim();
    const expiresAt = new Date(NOW.getTime() + 90 * DAY_MS);
    expect(created.err()).toContain(`Created write API key "incident bot"`);
    expect(created.err()).toContain(`expires ${expiresAt.toISOString()}`);

    expect(await storedKey("incident bot")).toEqual({ scope: "write", expiresAt });
    expect(await authenticateApiKey(database.db, key, NOW)).toMatchObject({ ok: true, principal: { scope: "write" } });
    expect(await authenticateApiKey(database.db, key, expiresAt)).toEqual({ ok: false, code: "KEY_EXPIRED", expiredAt: expiresAt });

    const listed = bufferIo({ clock: fixedClock(new Date(NOW.getTime() + 78 * DAY_MS)) });
    expect(await runCli(["api-key", "list", "--org", "acme"], listed)).toBe(0);
    expect(listed.out()).toContain(`incident bot\twrite\tactive\texpires in 12 days (${expiresAt.toISOString()})`);
    const later = bufferIo({ clock: fixedClock(expiresAt) });
    expect(await runCli(["api-key", "list", "--org", "acme"], later)).toBe(0);
    expect(later.out()).toContain("incident bot\twrite\tactive\texpired");

    const onADate = bufferIo({ clock: fixedClock(NOW) });
    expect(await runCli(["api-key", "create", "--org", "acme", "--name", "quarterly", "--expires", "2027-02-01"], onADate)).toBe(0);
    expect(await storedKey("quarterly")).toEqual({ scope: "read", expiresAt: new Date("2027-02-01T00:00:00Z") });
  });

  it("answers bad input with one line and exit code 2, writing nothing", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["api-key", "create", "--name", "x"], /--org <slug> is required/],
      [["api-key", "create", "--org", "nope", "--name", "x"], /no organisation with the slug "nope"/],
      [["api-key", "create", "--org", "acme", "--name", "  "], /--name: name the key/],
      [["api-key", "rotate", "--org", "acme"], /expected create, list or revoke, got "rotate"/],
      [["api-key", "revoke", "--org", "acme", "--id", "12"], /--id must be a key id/],
      [["api-key", "create", "--org", "acme", "--name", "x", "--scope", "admin"], /: --scope: choose the scope read or write$/m],
      [["api-key", "create", "--org", "acme", "--name", "x", "--expires", "0d"], /: --expires: expiry in days must be from 1 to 3650, got 0d$/m],
      [["api-key", "create", "--org", "acme", "--name", "x", "--expires", "3651d"], /--expires: expiry in days must be from 1 to 3650, got 3651d/],
      [["api-key", "create", "--org", "acme", "--name", "x", "--expires", "yesterday"], /--expires: "yesterday" is not an expiry: use a number of days like 90d/],
      [["api-key", "create", "--org", "acme", "--name", "x", "--expires", "2026-10-31"], /--expires: 2026-10-31 is not in the future/],
      [["api-key", "create", "--org", "acme", "--name", "x", "--expires", "2026-02-30"], /--expires: "2026-02-30" is not an expiry/],
    ];
    const [{ before } = { before: 0 }] = await database.sql<{ before: number }[]>`select count(*)::int as before from api_keys`;
    for (const [args, message] of cases) {
      const io = bufferIo({ clock: fixedClock(NOW) });
      expect(await runCli(args, io)).toBe(2);
      expect(io.err()).toMatch(message);
      expect(io.err().trim().split("\n")).toHaveLength(1);
    }
    const [{ after } = { after: 0 }] = await database.sql<{ after: number }[]>`select count(*)::int as after from api_keys`;
    expect(after).toBe(before);
  });
});
