import { describe, expect, it } from "vitest";
import { parseChannelConfig } from "./channels.ts";
import { decryptSecret, encryptSecret, openChannelConfig, sealChannelConfig, SecretDecryptionError } from "./secrets.ts";

describe("channel secrets at rest", () => {
  const key = "an-operator-secret-of-any-length";
  it("round-trips, never stores the plaintext, and uses a fresh IV each time", () => {
    const sealed = sealChannelConfig("pagerduty", { routingKey: "R0UT1NGKEY0000000000000000000001" }, key);
    expect(String(sealed.routingKey)).toMatch(/^enc:v1:/);
    expect(JSON.stringify(sealed)).not.toContain("R0UT1NGKEY");
    expect(encryptSecret("x", key)).not.toBe(encryptSecret("x", key));
    expect(parseChannelConfig("pagerduty", openChannelConfig("pagerduty", sealed, key))).toMatchObject({ ok: true, channel: { config: { routingKey: "R0UT1NGKEY0000000000000000000001" } } });
  });
  it("reads plaintext saved before a key existed; refuses a wrong or missing key with a clear error", () => {
    expect(openChannelConfig("pagerduty", { routingKey: "plain" }, key)).toEqual({ routingKey: "plain" });
    const sealed = encryptSecret("secret", key);
    expect(() => decryptSecret(sealed, "another key")).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(sealed, undefined)).toThrow(/SENTINEL_SECRET_KEY is not set/);
    const tampered = `${sealed.slice(0, -2)}AA`;
    expect(() => decryptSecret(tampered, key)).toThrow(SecretDecryptionError);
  });
});
