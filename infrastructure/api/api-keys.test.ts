import { describe, expect, it } from "vitest";
import { API_KEY_PREFIX, displayPrefixOf, generateApiKey, hashApiKey, isWellFormedApiKey } from "./api-keys.ts";

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
