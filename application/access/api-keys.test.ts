import { describe, expect, it } from "vitest";
import { API_KEY_PREFIX, describeApiKeyExpiry, displayPrefixOf, generateApiKey, hashApiKey, isWellFormedApiKey, parseCreateApiKeyInput } from "./api-keys.server.ts";

describe("API key format", () => {
  it("is snt_ + 36 base62 characters whose last six are a checksum of the rest", () => {
    const key = generateApiKey();
    expect(key).toMatch(/^snt_[0-9A-Za-z]{36}$/);
    expect(isWellFormedApiKey(key)).toBe(true);
    expect(displayPrefixOf(key)).toBe(key.slice(0, API_KEY_PREFIX.length + 6));
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("rejects any single-character change without a database lookup", () => {
    const key = generateApiKey();
    let caught = 0;
    for (let index = API_KEY_PREFIX.length; index < key.length; index += 1) {
      const replacement = key[index] === "a" ? "b" : "a";
      if (!isWellFormedApiKey(key.slice(0, index) + replacement + key.slice(index + 1))) caught += 1;
    }
    expect(caught).toBe(key.length - API_KEY_PREFIX.length);
    expect(isWellFormedApiKey(key.replace("snt_", "sk_"))).toBe(false);
    expect(isWellFormedApiKey(`${key}x`)).toBe(false);
  });

  it("never repeats", () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey()));
    expect(keys.size).toBe(1000);
  });
});

describe("a new key's scope and expiry", () => {
  const now = new Date("2026-11-01T09:30:00Z");
  const parse = (fields: Record<string, unknown>) => parseCreateApiKeyInput({ name: "CI", ...fields }, now);

  it("defaults to read and never expiring; days count from the given now, a date alone is its start in UTC", () => {
    expect(parse({})).toEqual({ ok: true, data: { name: "CI", scope: "read", expires: null } });
    expect(parse({ scope: "", expires: "never" })).toMatchObject({ ok: true, data: { scope: "read", expires: null } });
    expect(parse({ scope: "write", expires: "90d" })).toMatchObject({ ok: true, data: { scope: "write", expires: new Date("2027-01-30T09:30:00Z") } });
    expect(parse({ expires: "3650d" })).toMatchObject({ ok: true, data: { expires: new Date(now.getTime() + 3650 * 86_400_000) } });
    expect(parse({ expires: "2026-11-02" })).toMatchObject({ ok: true, data: { expires: new Date("2026-11-02T00:00:00Z") } });
    expect(parse({ expires: "2026-11-01T10:00:00+01:00" })).toEqual({ ok: false, fieldErrors: { expires: expect.stringContaining("not in the future") } });
    expect(parse({ expires: "2026-11-01T09:31:00Z" })).toMatchObject({ ok: true, data: { expires: new Date("2026-11-01T09:31:00Z") } });
  });

  it("refuses other scopes, zero or too many days, past or far dates and anything else, naming the field", () => {
    expect(parse({ scope: "admin" })).toEqual({ ok: false, fieldErrors: { scope: "choose the scope read or write" } });
    expect(parse({ expires: "0d" })).toEqual({ ok: false, fieldErrors: { expires: "expiry in days must be from 1 to 3650, got 0d" } });
    expect(parse({ expires: "2026-11-01" })).toEqual({ ok: false, fieldErrors: { expires: expect.stringContaining("2026-11-01 is not in the future") } });
    expect(parse({ expires: "2037-01-01" })).toEqual({ ok: false, fieldErrors: { expires: expect.stringContaining("more than 3650 days away") } });
    expect(parse({ expires: "yesterday" })).toEqual({ ok: false, fieldErrors: { expires: expect.stringContaining('"yesterday" is not an expiry') } });
    expect(parse({ expires: "-5d" })).toMatchObject({ ok: false, fieldErrors: { expires: expect.any(String) } });
  });

  it("describes an expiry against now", () => {
    expect(describeApiKeyExpiry(null, now)).toBe("never expires");
    expect(describeApiKeyExpiry(new Date(now.getTime() + 12.5 * 86_400_000), now)).toBe("expires in 12 days");
    expect(describeApiKeyExpiry(new Date(now.getTime() + 86_400_000), now)).toBe("expires in 1 day");
    expect(describeApiKeyExpiry(new Date(now.getTime() + 5 * 3_600_000).toISOString(), now)).toBe("expires in 5 h");
    expect(describeApiKeyExpiry(now, now)).toBe("expired");
  });
});
