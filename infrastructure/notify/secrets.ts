import { isSealedSecret, openSealedSecret, sealSecret } from "../crypto/secret-box.ts";

export { SecretDecryptionError } from "../crypto/secret-box.ts";

/**
 * Channel secrets at rest (PagerDuty routing keys, Slack webhook URLs): sealed with ../crypto/secret-box.ts under
 * SENTINEL_SECRET_KEY inside the channel's config. A value without the `enc:v1:` prefix is read as plaintext (channels
 * saved before a key was configured keep working).
 */

/** Key-derivation label of channel secrets (unchanged since they were first encrypted). */
const PURPOSE = "sentinel-channel-secrets";

/** Which config fields of each channel kind are secrets. */
export const SECRET_FIELDS: Record<"slack" | "email" | "pagerduty", readonly string[]> = {
  slack: ["webhookUrl"],
  email: [],
  pagerduty: ["routingKey"],
};

export function encryptSecret(plaintext: string, secret: string): string {
  return sealSecret(plaintext, secret, PURPOSE);
}

export function isEncrypted(value: unknown): value is string {
  return isSealedSecret(value);
}

export function decryptSecret(value: string, secret: string | undefined): string {
  if (!isEncrypted(value)) return value;
  return openSealedSecret(value, secret, PURPOSE, "a channel secret");
}

/** For the settings page's save: encrypts the kind's secret fields (when a key is configured). */
export function sealChannelConfig(kind: keyof typeof SECRET_FIELDS, config: Record<string, unknown>, secret: string | undefined): Record<string, unknown> {
  if (!secret) return config;
  const sealed = { ...config };
  for (const field of SECRET_FIELDS[kind]) {
    const value = sealed[field];
    if (typeof value === "string" && !isEncrypted(value)) sealed[field] = encryptSecret(value, secret);
  }
  return sealed;
}

/** Before validation and sending: decrypts the kind's secret fields. */
export function openChannelConfig(kind: keyof typeof SECRET_FIELDS, config: unknown, secret: string | undefined): unknown {
  if (typeof config !== "object" || config === null) return config;
  const opened: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const field of SECRET_FIELDS[kind]) {
    const value = opened[field];
    if (isEncrypted(value)) opened[field] = decryptSecret(value, secret);
  }
  return opened;
}
