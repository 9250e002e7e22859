import { describe, expect, it } from "vitest";
import { parseEnv } from "../config/env.ts";
import { createSessionStorage } from "./session.ts";

async function setCookieFor(env: ReturnType<typeof parseEnv>): Promise<string> {
  const storage = createSessionStorage(env);
  const session = await storage.getSession();
  session.set("userId", "3f2c1a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f");
  return storage.commitSession(session);
}

describe("session cookie (catalogue row 37)", () => {
  it("is HttpOnly and SameSite=Lax, and Secure with a __Host- name in production", async () => {
    const production = await setCookieFor(parseEnv({ NODE_ENV: "production", SESSION_SECRET: "s".repeat(40) }));
    expect(production).toMatch(/^__Host-sentinel=/);
    expect(production).toContain("HttpOnly");
    expect(production).toContain("SameSite=Lax");
    expect(production).toContain("Secure");
    expect(production).toContain("Path=/");
  });

  it("is not Secure in local development (plain http://localhost), still HttpOnly and SameSite=Lax", async () => {
    const local = await setCookieFor(parseEnv({}));
    expect(local).toContain("HttpOnly");
    expect(local).toContain("SameSite=Lax");
    expect(local).not.toContain("Secure");
  });

  it("keeps users signed in across a secret rotation, and rejects cookies signed with an unknown secret", async () => {
    const oldSecret = "o".repeat(40);
    const newSecret = "n".repeat(40);
    const before = createSessionStorage(parseEnv({ NODE_ENV: "production", SESSION_SECRET: oldSecret }));
    const session = await before.getSession();
    session.set("userId", "3f2c1a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f");
    const cookie = (await before.commitSession(session)).split(";")[0]!;

    const rotated = createSessionStorage(parseEnv({ NODE_ENV: "production", SESSION_SECRET: `${newSecret},${oldSecret}` }));
    expect((await rotated.getSession(cookie)).get("userId")).toBe("3f2c1a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f");

    const stranger = createSessionStorage(parseEnv({ NODE_ENV: "production", SESSION_SECRET: newSecret }));
    expect((await stranger.getSession(cookie)).get("userId")).toBeUndefined();
  });
});
