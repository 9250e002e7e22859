import { describe, expect, it } from "vitest";
import { bufferIo, useCliDatabase } from "../../tests/support/cli.ts";
import type { TestDatabase } from "../../tests/support/database.ts";
import { githubAppCredentials } from "../../infrastructure/db/schema/index.ts";
import { runCli } from "../main.ts";

let database: TestDatabase;

useCliDatabase((created) => {
  database = created;
});

describe("sentinel github-app", () => {
  it("shows the stored App without its secrets, and removes it only with --yes", async () => {
    const none = bufferIo();
    expect(await runCli(["github-app", "show"], none)).toBe(0);
    expect(none.out()).toContain("No GitHub App configured");

    await database.db.insert(githubAppCredentials).values({
      appId: 77,
      slug: "sentinel-acme",
      name: "Sentinel (acme)",
      htmlUrl: "https://github.com/apps/sentinel-acme",
      clientId: "Iv23li",
      clientSecretEncrypted: "enc:v1:a:b:c",
      webhookSecretEncrypted: "enc:v1:d:e:f",
      privateKeyEncrypted: "enc:v1:g:h:i",
    });
    const shown = bufferIo();
    expect(await runCli(["github-app", "show"], shown)).toBe(0);
    expect(shown.out()).toContain("app id\t77\nslug\tsentinel-acme\ninstall\thttps://github.com/apps/sentinel-acme/installations/new");
    expect(shown.out()).not.toContain("enc:v1");

    const unconfirmed = bufferIo();
    expect(await runCli(["github-app", "remove"], unconfirmed)).toBe(2);
    expect(unconfirmed.err()).toContain("--yes");
    expect(await database.db.select().from(githubAppCredentials)).toHaveLength(1);

    const removed = bufferIo();
    expect(await runCli(["github-app", "remove", "--yes"], removed)).toBe(0);
    expect(removed.out()).toContain("Removed the stored GitHub App sentinel-acme (id 77)");
    expect(await database.db.select().from(githubAppCredentials)).toHaveLength(0);

    const again = bufferIo();
    expect(await runCli(["github-app", "remove", "--yes"], again)).toBe(2);
    expect(again.err()).toContain("nothing to remove");
  });
});
