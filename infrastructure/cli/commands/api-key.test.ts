import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIo } from "../../../tests/support/cli.ts";
import { createTestDatabase, type TestDatabase } from "../../../tests/support/database.ts";
import { authenticateApiKey } from "../../api/api-keys.ts";
import { organizations } from "../../db/schema/index.ts";
import { runCli } from "../main.ts";

let database: TestDatabase;
const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL };

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.insert(organizations).values({ slug: "acme", name: "Acme" });
  process.env.DATABASE_URL = database.url;
  delete process.env.REDIS_URL;
});

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await database.drop();
});

describe("sentinel api-key", () => {
  it("creates a key that is printed once and works against the API, lists it, and revokes it at once", async () => {
    const created = bufferIo();
    expect(await runCli(["api-key", "create", "--org", "acme", "--name", "deploy pipeline"], created)).toBe(0);
    const key = created.out().trim();
    expect(key).toMatch(/^snt_/);
    expect(created.err()).toContain('Created API key "deploy pipeline"');
    expect(await authenticateApiKey(database.db, key, new Date())).not.toBeNull();

    const [stored] = await database.sql<{ key_hash: string; display_prefix: string }[]>`select key_hash, display_prefix from api_keys`;
    expect(stored!.key_hash).not.toContain(key);
    expect(key.startsWith(stored!.display_prefix)).toBe(true);

    const listed = bufferIo();
    expect(await runCli(["api-key", "list", "--org", "acme"], listed)).toBe(0);
    const [id] = listed.out().split("\t");
    expect(listed.out()).toContain("deploy pipeline\tactive");

    const revoked = bufferIo();
    expect(await runCli(["api-key", "revoke", "--org", "acme", "--id", id!], revoked)).toBe(0);
    expect(await authenticateApiKey(database.db, key, new Date())).toBeNull();
  });

  it("answers bad input with one line and exit code 2, writing nothing", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["api-key", "create", "--name", "x"], /--org <slug> is required/],
      [["api-key", "create", "--org", "nope", "--name", "x"], /no organisation with the slug "nope"/],
      [["api-key", "create", "--org", "acme", "--name", "  "], /--name: name the key/],
      [["api-key", "rotate", "--org", "acme"], /expected create, list or revoke, got "rotate"/],
      [["api-key", "revoke", "--org", "acme", "--id", "12"], /--id must be a key id/],
    ];
    const [{ before } = { before: 0 }] = await database.sql<{ before: number }[]>`select count(*)::int as before from api_keys`;
    for (const [args, message] of cases) {
      const io = bufferIo();
      expect(await runCli(args, io)).toBe(2);
      expect(io.err()).toMatch(message);
      expect(io.err().trim().split("\n")).toHaveLength(1);
    }
    const [{ after } = { after: 0 }] = await database.sql<{ after: number }[]>`select count(*)::int as after from api_keys`;
    expect(after).toBe(before);
  });
});
